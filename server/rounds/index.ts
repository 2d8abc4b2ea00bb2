export { submitWork, type SubmitWorkInput, type SubmissionRow } from './submit-work.js';
export { assignAudits } from './assign-audits.js';
export { claimAudits, type AuditTask } from './claim-audits.js';
export { castVote, type VoteInput } from './cast-vote.js';
export { tallyRound, type TallyResult } from './tally-round.js';
export { buildDistribution, publishPendingDistributions, type SignedDistribution } from './publish-distribution.js';
export { roundTick } from './round-tick.js';
export { currentRound, lastTalliedRound, roundDetail, balances, type RoundDetail } from './round-views.js';
export { roundAt, roundStartsAt, roundEndsAt, type RoundClock } from './round-clock.js';
