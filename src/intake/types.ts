/**
 * The one interface every forge tracker implements. The store is gaffer's own (built-in) tracker;
 * a forge's issues reach it through `syncTracker`, and claims go back through `claimIssue`, so the
 * engine and the factory never talk to a forge themselves.
 */

/** An issue as a forge reports it, whichever forge. */
export interface ForgeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  /** Logins. */
  assignees: string[];
  /** The issue's web page. */
  url: string;
  /** ISO 8601, as the forge wrote them. */
  createdAt: string;
  updatedAt: string;
  /** Pull requests share issues' numbers; they are never items. */
  isPull: boolean;
}

export interface IssueQuery {
  state: "open" | "all";
  /** Only issues carrying this label. */
  label?: string;
  /** Only issues updated at or after this time (ISO 8601). */
  since?: string;
}

/** A pull request as a forge reports it. */
export interface ForgePull {
  number: number;
  url: string;
  /** The branch it proposes, without refs/heads/. */
  head: string;
  headSha: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
}

export interface NewPull {
  head: string;
  base: string;
  title: string;
  body: string;
}

/** A comment on an issue or pull request. */
export interface ForgeComment {
  id: number;
  body: string;
  /** Its author's login; "" when the forge did not say. */
  author?: string;
  url?: string;
}

/** An open pull request as a listing shows it: what changed since gaffer last looked. */
export interface ForgePullState extends ForgePull {
  /** ISO 8601, as the forge wrote it: reviews and comments move it, checks do not. */
  updatedAt: string;
}

/** One check of a commit: a GitHub check run, or a commit status (GitHub, Gitea, Forgejo). */
export interface ForgeCheck {
  name: string;
  state: "pending" | "success" | "failure";
  /** What the forge says of it: a check run's title, summary and text, a status's description. */
  summary: string;
  url: string | null;
  /** A GitHub check run's id: its job's log may be read (`checkLog`). */
  checkRunId?: number;
}

/** A review of a pull request. */
export interface ForgeReview {
  id: number;
  author: string;
  state: "approved" | "changes-requested" | "commented" | "other";
  body: string;
  /** The head it was given on. */
  commit: string;
  url: string;
}

/** A comment on a line of a pull request's diff. */
export interface ForgeReviewComment {
  id: number;
  author: string;
  body: string;
  path: string;
  line: number | null;
  /** The review it belongs to; null for one made alone. */
  reviewId: number | null;
  /** Set when it answers another comment. */
  inReplyTo: number | null;
  url: string;
}

/** Everything people said on a pull request: reviews, comments on its diff, comments on the conversation. */
export interface PullConversation {
  reviews: ForgeReview[];
  reviewComments: ForgeReviewComment[];
  comments: ForgeComment[];
}

export interface Tracker {
  /** Names the forge and repository, e.g. `github https://api.github.com acme/app`: the store links items to it. */
  readonly key: string;
  /** For messages: `acme/app on github.com`. */
  readonly where: string;
  /** The login claims assign: `[tracker] assignee`, else the token's user. */
  claimant(): Promise<string>;
  /** Every issue matching the query (all pages), pull requests left out. */
  listIssues(query: IssueQuery): Promise<ForgeIssue[]>;
  /** An issue or pull request by number; undefined when there is none. */
  getIssue(number: number): Promise<ForgeIssue | undefined>;
  /** Adds `login` to the issue's assignees, keeping the others where the forge allows it. */
  assign(number: number, login: string): Promise<void>;
  unassign(number: number, login: string): Promise<void>;
  /** Adds labels, creating any the repository lacks. */
  addLabels(number: number, names: string[]): Promise<void>;
  /** Removes a label; one the issue does not carry is no error. */
  removeLabel(number: number, name: string): Promise<void>;
  /** Closes an issue (or a pull request). */
  closeIssue(number: number): Promise<void>;
  /** The comments on an issue or pull request, oldest first (all pages). */
  listComments(number: number): Promise<ForgeComment[]>;
  comment(number: number, body: string): Promise<void>;
  /** Where git pushes (the repository's HTTPS clone URL), and its default branch. */
  repository(): Promise<{ cloneUrl: string; defaultBranch: string }>;
  /**
   * The `Authorization` header value git sends when gaffer pushes: the credentials' token, held
   * in memory only and handed to git through its environment, never its command line.
   */
  gitAuthorization(): Promise<string>;
  /** The open pull request proposing `head`, if any. */
  findPull(head: string): Promise<ForgePull | undefined>;
  /** Opens a draft pull request. */
  openDraftPull(pull: NewPull): Promise<ForgePull>;
  /** Replaces a pull request's body. */
  editPullBody(number: number, body: string): Promise<void>;
  /** A pull request by number; undefined when there is none. */
  getPull(number: number): Promise<ForgePull | undefined>;
  /** Takes a draft pull request out of draft, so it may be merged. */
  markReady(pull: ForgePull): Promise<void>;
  /**
   * Merges a pull request with a merge commit, only if its head is still `sha`. A refusal (branch
   * protection, a conflict, a moved head) is a GafferError saying what the forge said.
   */
  mergePull(number: number, merge: { sha: string; title: string; message: string }): Promise<string>;
  /** The open pull requests (all pages); on GitHub asked with the last answer's ETag, so an unchanged listing is free. */
  listOpenPulls(): Promise<ForgePullState[]>;
  /** The checks of a commit: check runs (GitHub) and commit statuses, the latest per name. */
  listChecks(sha: string): Promise<ForgeCheck[]>;
  /** The log of a failed check, where the forge keeps one (a GitHub Actions job); undefined elsewhere. */
  checkLog(check: ForgeCheck): Promise<string | undefined>;
  /** Reviews, review comments and conversation comments on a pull request (all pages). */
  pullConversation(number: number): Promise<PullConversation>;
  /**
   * Proves the credentials can do what gaffer needs here: each line says what was verified. The
   * first thing missing is a GafferError naming the variable (or App) and the scope.
   */
  check(): Promise<string[]>;
}

/** How a tracker's HTTP client retries; tests shorten the waits. */
export interface ClientTuning {
  /** Retries of a request the forge failed (5xx, connection errors). */
  retries: number;
  /** The first retry's wait; the n-th waits n² times this. */
  retryBaseMs: number;
  /** The longest wait a rate limit may ask for before gaffer gives up on the request. */
  maxThrottleWaitMs: number;
  /** Told each time the forge throttles: a status line, and how long gaffer waits before it asks again. */
  onThrottle: (line: string, waitMs?: number) => void;
}

export const DEFAULT_TUNING: ClientTuning = {
  retries: 3,
  retryBaseMs: 1000,
  maxThrottleWaitMs: 120_000,
  onThrottle: () => {},
};
