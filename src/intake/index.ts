export { type ImportResult, importMarkdownIssues } from "./builtin/import.ts";
export { type MarkdownIssue, parseMarkdownIssue, readMarkdownIssues } from "./builtin/markdown.ts";
export { type ClaimOutcome, claimIssue, claimTrackedItem } from "./claim.ts";
export { parseDependencies } from "./dependencies.ts";
export { openTracker } from "./open.ts";
export { readiness } from "./readiness.ts";
export { type SyncOptions, type SyncReport, syncTracker } from "./sync.ts";
export {
  type ClientTuning,
  DEFAULT_TUNING,
  type ForgeCheck,
  type ForgeComment,
  type ForgeIssue,
  type ForgePull,
  type ForgePullState,
  type ForgeReview,
  type ForgeReviewComment,
  type PullConversation,
  type NewPull,
  type IssueQuery,
  type Tracker,
} from "./types.ts";
export {
  type Delivery,
  type ReceiverHandlers,
  type Refusal,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./webhooks.ts";
