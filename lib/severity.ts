import { ranksBestFirst } from './ranks';

/** A health-check finding's severities (SPEC §7.5), the worst first: the order reports and worklists list them in. */
const SEVERITIES = ['critical', 'warning', 'info'] as const;
type Severity = (typeof SEVERITIES)[number];
const severityRank = ranksBestFirst(SEVERITIES);

export { SEVERITIES, severityRank };
export type { Severity };
