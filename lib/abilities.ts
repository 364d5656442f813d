/** The seven abilities of seed 000, in the order records and tie-breaks use. */
const ABILITIES = ['product', 'channel', 'traffic', 'logistics', 'service', 'customerOps', 'growth'] as const;
type Ability = (typeof ABILITIES)[number];

export { ABILITIES };
export type { Ability };
