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
  type AgentUpdateKind,
  type AgentUpdatePayload,
  type DashboardAction,
  BUILDER_UPDATE_EVENTS,
  REVIEWER_UPDATE_EVENTS,
  type UpdateEvents,
  EVENT_DEFS,
  eventDef,
  type EventBody,
  type EventDef,
  type EventName,
  type EventPayload,
  EVENTS,
  isEventName,
  isSecurityEvent,
  type SetupStepPayload,
} from "./event-catalogue.ts";
export {
  appendEvent,
  countEvents,
  type EventScope,
  eventsOfKind,
  eventsOfRuns,
  type GafferEvent,
  lastEvent,
  latestEventAt,
  latestEventId,
  listEvents,
  recentEventsOfKinds,
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
  isStopped,
  RESUMABLE_STATES,
  RUN_TRANSITIONS,
  type RunTransitionName,
  TERMINAL_STATES,
  type TransitionData,
} from "./run-states.ts";
export {
  type Attempt,
  createRun,
  type FailureCause,
  type GateResult,
  getRun,
  latestRunsOf,
  listAttempts,
  listGateResults,
  listRuns,
  type Move,
  moveRun,
  type NewGateResult,
  type NewRun,
  type Run,
  type RunChanges,
  recordGateResult,
  startAttempt,
  updateAttempt,
} from "./runs.ts";
export { createToken, findLiveToken, listTokens, revokeToken, type Token } from "./tokens.ts";
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
