export {
  type Claim,
  claimItem,
  type Duty,
  expireClaims,
  listClaims,
  releaseClaim,
  renewClaim,
  transferClaim,
} from "./claims.ts";
export type { StoreDialect } from "./dialect.ts";
export {
  appendEvent,
  countEvents,
  eventsOfRuns,
  type GafferEvent,
  lastEvent,
  latestEventAt,
  listEvents,
  type NewEvent,
} from "./events.ts";
export {
  addItem,
  closedItemIds,
  editItem,
  getItem,
  type Item,
  type ItemChanges,
  type ItemFields,
  listItems,
  setItemState,
} from "./items.ts";
export { type Db, inTransaction, openStore, openStoreReadOnly, type Store } from "./open.ts";
export {
  type CommitSummary,
  findProposal,
  type GateEnvironment,
  type GateEvidence,
  type Proposal,
  type ProposalFinding,
  recordProposal,
  unreviewedProposals,
} from "./proposals.ts";
export {
  type AfterChanges,
  listReviews,
  type Review,
  type ReviewFinding,
  recordReview,
  type Verdict,
} from "./reviews.ts";
export {
  ACTIVE_STATES,
  type Attempt,
  createRun,
  type FailureCause,
  type GateResult,
  getRun,
  latestRunsOf,
  listAttempts,
  listGateResults,
  listRuns,
  type NewGateResult,
  type NewRun,
  RESUMABLE_STATES,
  type Run,
  recordGateResult,
  startAttempt,
  TERMINAL_STATES,
  type Transition,
  transitionRun,
  updateAttempt,
} from "./runs.ts";
export type { AttemptState, ItemState, RunState, UsageSource } from "./schema.ts";
export {
  type NewUsage,
  recordUsage,
  spentUsd,
  startOfUtcDay,
  sumUsage,
  totalUsage,
  type UsageGrouping,
  type UsageSum,
  type UsageTotal,
} from "./usage.ts";
