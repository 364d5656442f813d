import { ranksBestFirst } from './ranks';

/** The levels a policy's rules grant (SPEC §7.1), the best first. */
const GRANTED_SERVICE_LEVELS = ['excellent', 'good', 'pass'] as const;
/** The assessed levels, the best first: the order reports list them in and their rank. */
const ASSESSED_SERVICE_LEVELS = [...GRANTED_SERVICE_LEVELS, 'fail'] as const;
const SERVICE_LEVELS = [...ASSESSED_SERVICE_LEVELS, 'notAssessed'] as const;
/** notAssessed has no rank: it is no level to rise or fall from. */
const serviceLevelRank = ranksBestFirst(ASSESSED_SERVICE_LEVELS);

export { ASSESSED_SERVICE_LEVELS, GRANTED_SERVICE_LEVELS, SERVICE_LEVELS, serviceLevelRank };
