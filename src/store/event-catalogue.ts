import type { RunState } from "./schema.ts";

/**
 * Every event gaffer records, in one place: its name, what it means and the shape of its data.
 * The event feed is a public interface (`gaffer logs --json`, the store, reports, the factory):
 * code appends and reads events only through these definitions, so a renamed event or a changed
 * payload is a type error wherever it is used. `docs/EVENTS.md` is generated from this file
 * (`npm run events:doc`; `npm run lint` checks it is current).
 */
export interface EventDef<N extends string = string, P extends object = object> {
  readonly name: N;
  readonly meaning: string;
  /**
   * Evidence of a breach or a limit: it is never dropped. A run whose store cannot take one stops
   * with that error rather than going on without its record.
   */
  readonly security: boolean;
  /** Only a type: the payload's shape. */
  readonly payload?: P;
}

function event<P extends object>() {
  return <const N extends string>(
    name: N,
    meaning: string,
    options: { security?: true } = {},
  ): EventDef<N, P> => ({
    name,
    meaning,
    security: options.security ?? false,
  });
}

/** Who a failed run's failure is down to: the machine (a full disk, a killed process…) or the agent. */
export type FailureCause = "infrastructure" | "agent";

/**
 * What a run's gate must show: "green" passes (every run but a red phase's); "red" fails, which
 * proves tests written before their code test something.
 */
export type RunGoal = "green" | "red";

/** Keys every event's data may carry: the attempt it belongs to. */
interface OfAttempt {
  attempt: number;
}

/** What the dashboard can do, each through the same code as its CLI command. */
export type DashboardAction =
  | "pause"
  | "resume"
  | "cancel-run"
  | "resume-run"
  | "discard-run"
  | "requeue-item"
  | "tell-role"
  | "vault-approve"
  | "vault-reject";

/** A transition's event: the state the run moved to, with what the transition adds. */
type Moved<P extends object = object> = { state: RunState } & P;

/** One thing an agent did or said: the drivers' AgentUpdate, as the agent.* events store it. */
export type AgentUpdatePayload =
  | { kind: "message"; text: string }
  | { kind: "thought"; text: string }
  | { kind: "plan"; entries: { content: string; status: string }[] }
  | { kind: "tool-call"; id: string; title: string; status: string; toolKind?: string }
  | { kind: "tool-call-update"; id: string; status: string; title?: string }
  | {
      kind: "usage";
      used?: number;
      size?: number;
      /** Cumulative for the session, like the token counts below. */
      costAmount?: number;
      costCurrency?: string;
      inputTokens?: number;
      outputTokens?: number;
      cachedTokens?: number;
    }
  | {
      kind: "permission";
      title: string;
      command?: string;
      /** The ACP tool kind asked for (read, edit, execute, fetch…), when the agent gave one. */
      toolKind?: string;
      decision: "allow" | "reject";
      /** Why it was rejected: a policy rule, or what the tool call would touch. */
      rule?: string;
    }
  | { kind: "file-write"; path: string; bytes: number }
  | { kind: "file-read"; path: string }
  | { kind: "file-denied"; path: string; operation: "read" | "write"; reason: string }
  | { kind: "terminal"; command: string; exitCode: number | null; denied?: string }
  | { kind: "output"; text: string }
  | { kind: "other"; type: string; data: unknown };

export type AgentUpdateKind = AgentUpdatePayload["kind"];
type Update<K extends AgentUpdateKind> = Extract<AgentUpdatePayload, { kind: K }>;

/** An agent update of a builder's attempt, or of a reviewer's round. */
type BuilderUpdate<K extends AgentUpdateKind> = OfAttempt & Update<K>;
type ReviewerUpdate<K extends AgentUpdateKind> = { round: number } & Update<K>;

/** A setup step run in a workspace or in the gate's checkout. */
export type SetupStepPayload =
  | { kind: "copied"; path: string; secret: boolean }
  | { kind: "missing"; path: string }
  | {
      kind: "command";
      name: string;
      exitCode: number | null;
      timedOut: boolean;
      durationMs: number;
      output: string;
    };

/** A line of the guard log, as recorded under the step that wrote it. */
interface GuardEntryPayload extends OfAttempt {
  step: string;
  rule: string;
  argv: string[];
  cwd: string;
  at: number;
  by: "wrapper" | "pre-push" | "post-checkout" | "reference-transaction";
  refused: boolean;
}

/** Which limit a run (or a review) exceeded, with what it had used. */
interface LimitPayload {
  reason: string;
  turns?: number;
  elapsedMs?: number;
  outputBytes?: number;
  workspaceBytes?: number;
  processes?: number;
}

interface RoleProcess {
  role: string;
  process: string;
  item?: number;
}

interface PhaseChange {
  from: string;
  fromDone: boolean;
  to: string;
  index: number;
  done: boolean;
}

interface ReviewVerdict {
  round: number;
  role: string;
  findings: number;
}

/** The catalogue. Keys are for code; `name` is what the store, the docs and `--json` show. */
export const EVENTS = {
  // items and claims
  itemCreated: event<{ title: string }>()("item.created", "an item was added to the backlog"),
  itemEdited: event<{ fields: string[] }>()(
    "item.edited",
    "an item's title, body, labels, priority or dependencies changed",
  ),
  itemClosed: event<{ note?: string }>()("item.closed", "an item was closed, with why when known"),
  itemReopened: event<{ note?: string }>()(
    "item.reopened",
    "a closed or parked item was opened again (a forge item: ready on its forge again)",
  ),
  itemParked: event<{ note?: string }>()(
    "item.parked",
    "a forge item is open on its forge but not gaffer's to take (not labelled ready, held back by a label, or claimed by someone else); `note` says which",
  ),
  itemHeld: event<{ role: string; item: number; code: number | null; error: string }>()(
    "item.held",
    "a role process failed on an item before its run began; the item waits until the factory restarts",
  ),
  itemRetrying: event<{
    role: string;
    item: number;
    run: number;
    retry: number;
    of: number;
    reason: string | null;
  }>()(
    "item.retrying",
    "the factory dispatches again a run that failed for the machine's sake: retry `retry` of `of`",
  ),
  claimTaken: event<{ role: string; duty: string; holder: string; lapsed?: string }>()(
    "claim.taken",
    "a role (or `gaffer run`) claimed an item; `lapsed` names the holder whose lease it replaced",
  ),
  claimReleased: event<{ holder: string; reason: string }>()("claim.released", "a claim was given back"),
  claimExpired: event<{ role: string; holder: string; heartbeatAt: number }>()(
    "claim.expired",
    "a claim's lease lapsed without a heartbeat; the item is ready again",
  ),
  trackerClaimed: event<{ issue: number; url: string; assignee: string }>()(
    "tracker.claimed",
    "before a run, gaffer claimed the item's issue on its forge: assigned `assignee` and labelled it in progress",
  ),
  trackerDelivery: event<{ delivery: string; event: string; replay: boolean }>()(
    "tracker.delivery",
    "a signed webhook delivery from the forge arrived; a new one triggers a sync, a `replay` of one already received does not",
  ),
  trackerDeliveryRefused: event<{ reason: string; refused: number }>()(
    "tracker.delivery-refused",
    "a request to the webhook receiver was refused (unsigned, a wrong signature, unknown, too large); `refused` counts them since `gaffer up` started",
  ),
  trackerSynced: event<{ trigger: string; fetched: number; created: number; changed: number }>()(
    "tracker.synced",
    "`gaffer up` read the forge (`trigger`: start, webhook or poll) and brought its issues into the store",
  ),
  trackerListening: event<{ url: string }>()(
    "tracker.listening",
    "`gaffer up`'s webhook receiver is serving deliveries at `url`",
  ),
  trackerThrottled: event<{ line: string; until: number }>()(
    "tracker.throttled",
    "the forge throttled gaffer (a rate limit, `retry-after`); gaffer waits until `until` and tries again",
  ),
  trackerPullsWatched: event<{ trigger: string; pulls: number; received: number; requests: number }>()(
    "tracker.pulls-watched",
    "`gaffer up` read the published runs' pull requests (`received`: new things seen there, `requests` made)",
  ),

  // reactions to what happens on a published run's pull request
  forgePullEvent: event<{
    pull: number;
    kind: string;
    key: string;
    head: string | null;
    author: string | null;
  }>()(
    "forge.pull-event",
    "gaffer saw something new on a published run's pull request: a failed or passed check, a review, a comment, a moved base, an approval, a close",
  ),
  reactionSkipped: event<{ pull: number; kind: string; keys: string[]; reason: string }>()(
    "reaction.skipped",
    "gaffer did nothing about what happened on the pull request, for `reason`",
  ),
  reactionEscalated: event<{
    pull: number;
    kind: string;
    reason: string;
    label: string | null;
    notified: boolean;
  }>()(
    "reaction.escalated",
    "gaffer handed the pull request to a human: the issue (or pull request) labelled, a comment, [reactions] notify",
  ),
  reactionNotified: event<{ pull: number; kind: string; summary: string; exitCode: number | null }>()(
    "reaction.notified",
    "[reactions] notify ran for what happened on the pull request",
  ),
  reactionMergeRequested: event<{ pull: number; action: string; tier: string; state: string }>()(
    "reaction.merge-requested",
    "the pull request is approved and its checks are green: gaffer asked the vault to merge it",
  ),
  reactionAnswered: event<{ pull: number; comments: number; head: string; found: boolean }>()(
    "reaction.answered",
    "gaffer answered the review comments a revision addressed, once, in one comment on the pull request; `found`: it was already there",
  ),
  reactionPullClosed: event<{ pull: number; merged: boolean }>()(
    "reaction.pull-closed",
    "the pull request was merged or closed on the forge; gaffer stops watching it",
  ),
  publishRequested: event<{ action: string; tier: string; state: string; why: string }>()(
    "publish.requested",
    "gaffer asked the vault to publish the run's proposal by itself (`why`: on-proposal, or a revision of a published run)",
  ),

  // a run's life
  runCreated: event<{
    agent: string;
    branch: string;
    base: string;
    baseCommit: string;
    role?: string;
    goal?: RunGoal;
    gateFirst?: boolean;
  }>()(
    "run.created",
    "a run began for an item, from the base branch's commit; `goal` red: its gate must fail; `gateFirst`: the gate runs on the base before the agent (attempt 0)",
  ),
  runPrevious: event<{ item: number; state: RunState; reason: string | null; resumable: boolean }>()(
    "run.previous",
    "shown, not stored: the item ran before and a new run starts from the base",
  ),
  runResumed: event<Moved<{ from: RunState; attempt: number }>>()("run.resumed", "a stopped run was resumed"),
  workspaceCreated: event<{ path: string; branch: string; reused: boolean; warm?: boolean }>()(
    "workspace.created",
    "the run's clone was made (or an existing one reused); `warm`: taken ready-made from the warm pool",
  ),
  workspaceWarmDiscarded: event<{ clone: string; reason: string }>()(
    "workspace.warm-discarded",
    "a warm clone the run took failed the check before use (changed on disk, or not at the base) and was deleted, never used",
    { security: true },
  ),
  workspaceSetup: event<SetupStepPayload>()("workspace.setup", "one setup step ran in the workspace"),
  workspaceReady: event<Moved<{ path: string; sandbox: string }>>()(
    "workspace.ready",
    "the workspace is set up and confined; `sandbox` says how",
  ),
  sandboxUnavailable: event<{ description: string }>()(
    "sandbox.unavailable",
    "no OS sandbox could be used; the agent runs under gaffer's guards only",
  ),
  guardLogReplaced: event<{ path: string; found: string }>()(
    "guard.log-replaced",
    "the guard log was not a regular file gaffer made and was replaced",
  ),
  guardAgentRules: event<{ agent: string; path: string }>()(
    "guard.agent-rules",
    "gaffer wrote the agent's native rules file from the rules table",
  ),
  attemptStarted: event<Moved<OfAttempt>>()("attempt.started", "the agent began an attempt"),
  attemptRestarted: event<Moved<OfAttempt>>()(
    "attempt.restarted",
    "an attempt cut short by a crash or a cancel began again",
  ),
  agentPrompt: event<OfAttempt & { path: string; bytes: number }>()(
    "agent.prompt",
    "gaffer sent the agent a turn's brief (the turn limit counts these)",
  ),
  agentSessionContinued: event<OfAttempt>()(
    "agent.session-continued",
    "the attempt continues the agent's earlier session",
  ),
  agentNudged: event<OfAttempt>()("agent.nudged", "the supervisor nudged a stalled agent"),
  agentError: event<OfAttempt & { stopReason: string; error: string | null }>()(
    "agent.error",
    "the agent's turn failed or timed out",
  ),
  agentDone: event<
    Moved<OfAttempt & { stopReason: string; changed: boolean; head: string | null; tree: string }>
  >()("agent.done", "the agent ended its attempt; gaffer recorded its work for the gate"),
  agentMessage: event<BuilderUpdate<"message">>()("agent.message", "what the agent said (fragments joined)"),
  agentThought: event<BuilderUpdate<"thought">>()(
    "agent.thought",
    "what the agent thought aloud (fragments joined)",
  ),
  agentPlan: event<BuilderUpdate<"plan">>()("agent.plan", "the agent's plan"),
  agentToolCall: event<BuilderUpdate<"tool-call">>()("agent.tool-call", "the agent called a tool"),
  agentToolCallUpdate: event<BuilderUpdate<"tool-call-update">>()(
    "agent.tool-call-update",
    "a tool call's status changed",
  ),
  agentUsage: event<BuilderUpdate<"usage">>()("agent.usage", "the agent reported its usage (tokens, cost)"),
  agentPermission: event<BuilderUpdate<"permission">>()(
    "agent.permission",
    "gaffer allowed or refused a permission the agent asked for",
  ),
  agentFileWrite: event<BuilderUpdate<"file-write">>()(
    "agent.file-write",
    "the agent wrote a file through gaffer",
  ),
  agentFileRead: event<BuilderUpdate<"file-read">>()(
    "agent.file-read",
    "the agent read a file through gaffer",
  ),
  agentFileDenied: event<BuilderUpdate<"file-denied">>()(
    "agent.file-denied",
    "gaffer refused a file read or write the agent asked for",
    { security: true },
  ),
  agentTerminal: event<BuilderUpdate<"terminal">>()(
    "agent.terminal",
    "a command the agent ran through gaffer",
  ),
  agentOutput: event<BuilderUpdate<"output">>()("agent.output", "output of an agent's command"),
  agentOther: event<BuilderUpdate<"other">>()(
    "agent.other",
    "an update gaffer does not know, kept as it came",
  ),
  guardDenied: event<GuardEntryPayload>()("guard.denied", "the git guard refused something the agent tried", {
    security: true,
  }),
  guardNoted: event<GuardEntryPayload>()(
    "guard.noted",
    "the git guard saw something it cannot refuse (a checkout)",
    {
      security: true,
    },
  ),
  sandboxNetworkDenied: event<{ host: string; port: number; method: string }>()(
    "sandbox.network-denied",
    "the sandbox's proxy refused a connection to a host not on the allowlist",
    { security: true },
  ),
  sandboxModelKeys: event<{
    hosts: { host: string; api: string; variables: string[] }[];
    passed: string[];
    confined: boolean;
    keys: "proxy" | "pass";
  }>()(
    "sandbox.model-keys",
    "the model hosts whose keys gaffer's proxy adds (their variables hold placeholders in the sandbox), and the key variables that enter the agent's environment as they are: without a sandbox (`confined` false), with `[models] keys` \"pass\", or for a host no model host declares",
  ),
  sandboxLoginsUnused: event<{ logins: string[]; confined: boolean; keys: "proxy" | "pass" }>()(
    "sandbox.logins-unused",
    'logins of `[models] logins` this run\'s agent would use but cannot: only a sandbox whose model keys the proxy holds (`[models] keys = "proxy"`) holds a login, so the agent uses whatever login it finds itself',
  ),
  modelRateLimited: event<
    OfAttempt & {
      host: string;
      kind: "rate" | "overloaded";
      status: number;
      resetsAt: number | null;
      message: string;
    }
  >()(
    "model.rate-limited",
    "a model host told the agent to slow down (429) or was overloaded (529); the agent retries by itself. Said once a minute per host",
  ),
  modelPlanLimit: event<
    OfAttempt & {
      host: string;
      api: string;
      agent: string;
      status: number;
      resetsAt: number | null;
      until: number;
      message: string;
    }
  >()(
    "model.plan-limit",
    "a model host answered that the plan's usage limit, quota or credit is used up: the run stops, interrupted with nothing charged, and the factory holds dispatch to the agents of that host until `until` (its reset, or a wait when it gave none)",
    { security: true },
  ),
  modelUsageMismatch: event<
    OfAttempt & {
      reported: { tokens: number; costUsd: number | null };
      wire: { tokens: number; costUsd: number; requests: number };
    }
  >()(
    "model.usage-mismatch",
    "the agent reported other usage for an attempt than its model requests add up to on the wire, which is what counts",
  ),
  workspaceTampered: event<{
    workspace: string;
    file: string;
    savedAs: string | null;
    expectedSha256: string;
    foundSha256: string | null;
    detectedAt: number;
  }>()("workspace.tampered", "the workspace's git config was changed; gaffer restored its own", {
    security: true,
  }),
  limitExceeded: event<LimitPayload>()(
    "limit.exceeded",
    "a run or a review went past a limit and was stopped",
    {
      security: true,
    },
  ),
  budgetExceeded: event<
    OfAttempt & { reason: string; spent: Record<"run" | "item" | "day" | "project", number> }
  >()("budget.exceeded", "a run's spending went past its budget and was stopped", { security: true }),

  // the gate
  gateSetup: event<OfAttempt & SetupStepPayload>()("gate.setup", "one setup step ran in the gate's checkout"),
  gateStarted: event<
    OfAttempt & {
      steps: string[];
      /** The steps started together (`[gate] parallel`); absent, one after another. */
      parallel?: true;
      tree: string;
      environment: {
        tree: string;
        sandbox: string;
        passed: string[];
        set: Record<string, string>;
        setup: string[];
        caches: string[];
      };
    }
  >()("gate.started", "gaffer began running the gate on the recorded tree"),
  gateStepStarted: event<OfAttempt & { name: string }>()("gate.step.started", "a gate command began"),
  gateStepFinished: event<
    OfAttempt & {
      name: string;
      exitCode: number | null;
      timedOut: boolean;
      durationMs: number;
      passed: boolean;
    }
  >()("gate.step.finished", "a gate command ended"),
  gateKilled: event<
    OfAttempt & {
      name: string;
      signal: string | null;
      exitCode: number | null;
      durationMs: number;
      kills: number;
    }
  >()(
    "gate.killed",
    "a gate command was ended by a SIGKILL gaffer did not send (the OOM killer?): not a red gate, the attempt is not charged; the third kill of one attempt fails the run",
  ),
  gateOutputs: event<
    OfAttempt & { tree: string; created: string[]; changed: string[]; truncated: boolean }
  >()("gate.outputs", "what the gate left in its checkout (never part of the proposal)"),
  gatePassed: event<OfAttempt & { tree: string }>()("gate.passed", "every gate command passed"),
  gateFailed: event<OfAttempt & { tree: string; failureHash?: string }>()(
    "gate.failed",
    "a gate command failed; its compressed output is the next attempt's feedback",
  ),
  integrityFinding: event<{
    check: string;
    rule: string;
    severity: "block" | "flag";
    message: string;
    evidence: Record<string, unknown>;
  }>()("integrity.finding", "a post-run check found something in the agent's work", { security: true }),

  // the proposal
  proposalStarted: event<Moved<OfAttempt>>()(
    "proposal.started",
    "the gate is green; gaffer verifies and proposes",
  ),
  proposalCommitted: event<{ committed: boolean; head: string; tree: string }>()(
    "proposal.committed",
    "the checks passed on the recorded work; `committed` when gaffer committed what the agent left uncommitted",
  ),
  proposalRecorded: event<{
    branch: string;
    head: string;
    commits: number;
    findings: number;
    sandbox: string;
    tree?: string;
  }>()("proposal.recorded", "the proposal and its evidence were stored"),
  runProposed: event<Moved<{ branch: string; head: string; commits: number }>>()(
    "run.proposed",
    "the run ended with a proposal; nothing was merged",
  ),
  runFailed: event<Moved<{ reason: string; code?: string; report: string | null; cause: FailureCause }>>()(
    "run.failed",
    "the run could not go on (a crash, a missing tool, no change); its workspace is kept. `cause`: who it is down to, the machine (`infrastructure`, retried by the factory) or the agent",
  ),
  runGaveUp: event<Moved<{ reason: string; report: string | null }>>()(
    "run.gave-up",
    "the run ended without a green gate, with a failure report",
  ),
  runCancelled: event<Moved<OfAttempt>>()("run.cancelled", "the user stopped the run; its workspace is kept"),
  runInterrupted: event<
    Moved<{ during: RunState; attempt: number; previousOwner?: string | null; reason?: string }>
  >()(
    "run.interrupted",
    "the process driving the run died (found at the next start: `previousOwner`), or the machine stopped a step (`reason`); resumed with nothing charged",
  ),
  runDiscarded: event<Moved<{ from: RunState; snapshot: string | null }>>()(
    "run.discarded",
    "the run's workspace was snapshotted and removed",
  ),
  workspaceSnapshot: event<{ ref: string | null; commit: string | null }>()(
    "workspace.snapshot",
    "the workspace was kept as a snapshot ref before removal",
  ),

  // reviews
  reviewStarted: event<{ round: number; role: string; agent: string; head: string }>()(
    "review.started",
    "a reviewer began a round on the proposal",
  ),
  reviewInvalid: event<{ round: number; error: string }>()(
    "review.invalid",
    "the reviewer's verdict could not be read; it is asked again",
  ),
  reviewApproved: event<ReviewVerdict>()("review.approved", "the reviewer approved the proposal"),
  reviewChangesRequested: event<ReviewVerdict>()(
    "review.changes-requested",
    "the reviewer asked for changes; a builder revises or the run gives up",
  ),
  runRevising: event<Moved<ReviewVerdict>>()(
    "run.revising",
    "the proposal goes back to a builder with the findings",
  ),
  runReopened: event<Moved<{ reason: string; pull: number; keys: string[]; attempt: number }>>()(
    "run.reopened",
    "something on the run's pull request (a failed check, a review, a moved base) re-opened it on its kept workspace; a builder resumes it",
  ),
  runRebased: event<Moved<{ from: string; onto: string; conflicts: string[]; attempt: number }>>()(
    "run.rebased",
    "gaffer rebased the run's work onto the moved base with its own git; conflicting files go to the agent, a clean rebase straight to the gate",
  ),
  reviewWorkspaceRemoved: event<{ snapshot: string | null }>()(
    "review.workspace-removed",
    "the reviewer's clone was snapshotted and removed",
  ),
  reviewAgentMessage: event<ReviewerUpdate<"message">>()("review.agent.message", "what the reviewer said"),
  reviewAgentThought: event<ReviewerUpdate<"thought">>()(
    "review.agent.thought",
    "what the reviewer thought aloud",
  ),
  reviewAgentPlan: event<ReviewerUpdate<"plan">>()("review.agent.plan", "the reviewer's plan"),
  reviewAgentToolCall: event<ReviewerUpdate<"tool-call">>()(
    "review.agent.tool-call",
    "the reviewer called a tool",
  ),
  reviewAgentToolCallUpdate: event<ReviewerUpdate<"tool-call-update">>()(
    "review.agent.tool-call-update",
    "a reviewer's tool call changed status",
  ),
  reviewAgentUsage: event<ReviewerUpdate<"usage">>()("review.agent.usage", "the reviewer reported its usage"),
  reviewAgentPermission: event<ReviewerUpdate<"permission">>()(
    "review.agent.permission",
    "gaffer allowed or refused a permission the reviewer asked for",
  ),
  reviewAgentFileWrite: event<ReviewerUpdate<"file-write">>()(
    "review.agent.file-write",
    "the reviewer wrote a file through gaffer",
  ),
  reviewAgentFileRead: event<ReviewerUpdate<"file-read">>()(
    "review.agent.file-read",
    "the reviewer read a file through gaffer",
  ),
  reviewAgentFileDenied: event<ReviewerUpdate<"file-denied">>()(
    "review.agent.file-denied",
    "gaffer refused a file read or write the reviewer asked for",
    { security: true },
  ),
  reviewAgentTerminal: event<ReviewerUpdate<"terminal">>()(
    "review.agent.terminal",
    "a command the reviewer ran through gaffer",
  ),
  reviewAgentOutput: event<ReviewerUpdate<"output">>()(
    "review.agent.output",
    "output of a reviewer's command",
  ),
  reviewAgentOther: event<ReviewerUpdate<"other">>()(
    "review.agent.other",
    "a reviewer update gaffer does not know",
  ),

  // the vault
  vaultMerged: event<{
    action: string;
    into: string;
    from: string;
    head: string;
    commit: string;
    snapshot: string | null;
    worktree: string | null;
    /** A merge through the forge: the pull request merged, and its page. */
    pull?: number;
    url?: string;
  }>()(
    "vault.merged",
    "an approved merge was carried out (through the forge's API when the run was published)",
  ),
  publishPushed: event<{ action: string; branch: string; head: string; remote: string }>()(
    "publish.pushed",
    "gaffer pushed the run's proposal branch to the forge with its own credentials",
  ),
  publishPullOpened: event<{ action: string; pull: number; url: string; found: boolean }>()(
    "publish.pull-opened",
    "the run's draft pull request is open on the forge; `found`: it was already there (a resumed publish)",
  ),
  publishCommented: event<{ action: string; issue: number; pull: number; found: boolean }>()(
    "publish.commented",
    "the item's issue was told of the pull request; `found`: the comment was already there",
  ),

  // Conductor tracks
  trackStarted: event<{ track: string; branch: string; base: string; resumed: boolean }>()(
    "track.started",
    "`gaffer track run` began (or resumed) a Conductor track on its branch",
  ),
  trackTaskDone: event<{ track: string; task: string; commit: string; red: number; green: number }>()(
    "track.task-done",
    "a track's task was proven red (run `red`) then green (run `green`), committed and marked done in its plan",
  ),
  trackCheckpoint: event<{ track: string; phase: number; commit: string }>()(
    "track.checkpoint",
    "a track's phase ended with its checkpoint commit",
  ),
  trackStopped: event<{ track: string; signal: string; detail: string; report: string }>()(
    "track.stopped",
    "a track gave up (a failcount limit, no progress, a run that could not go on): failure report and .STOPPED written",
  ),
  trackCompleted: event<{ track: string; branch: string; head: string; report: string }>()(
    "track.completed",
    "a track passed its completion gate; its completion report is committed on its branch",
  ),

  // the factory
  factoryPaused: event<object>()("factory.paused", "`gaffer pause`: no new work is dispatched"),
  factoryResumed: event<object>()("factory.resumed", "`gaffer resume`: work is dispatched again"),
  phaseAdvanced: event<PhaseChange>()("phase.advanced", "the factory moved on to the next phase"),
  phaseSet: event<PhaseChange>()("phase.set", "the current phase was set by hand"),
  supervisorStarted: event<{ pid: number; roles: number }>()(
    "supervisor.started",
    "the factory's supervisor started",
  ),
  supervisorPaused: event<{ held: number }>()(
    "supervisor.paused",
    "the factory is paused and holds back this many ready items (said once per pause)",
  ),
  supervisorBackendPaused: event<{ agents: string[]; host: string; until: number; run: number | null }>()(
    "supervisor.backend-paused",
    "a model host's plan limit holds these agents' work back until `until` (said once per limit)",
  ),
  supervisorStopped: event<{ pid: number }>()(
    "supervisor.stopped",
    "the supervisor stopped its roles and exited",
  ),
  supervisorError: event<{ error?: string; child?: string; tmux?: string; vault?: string }>()(
    "supervisor.error",
    "something the supervisor tried failed; it goes on",
  ),
  roleStarted: event<RoleProcess & { pid: number | null; duty: string; worker?: string }>()(
    "role.started",
    "a role process started, for an item or as a service; a build or review names the worker process hosting it",
  ),
  roleExited: event<RoleProcess & { code: number | null; signal: string | null; duty: string }>()(
    "role.exited",
    "a role process exited",
  ),
  roleDied: event<RoleProcess & { healed: boolean }>()(
    "role.died",
    "a role process died and will not be restarted",
  ),
  roleHealing: event<RoleProcess & { restart: number; delayMs: number }>()(
    "role.healing",
    "a role process died; it restarts after a backoff",
  ),
  roleGaveUp: event<{ role: string; restarts: number }>()(
    "role.gave-up",
    "a role used up its restart budget and is not restarted",
  ),
  roleScheduled: event<{ role: string; next: number | null }>()(
    "role.scheduled",
    "a scheduled role fired; `next` is its next fire time",
  ),
  roleSkipped: event<{ role: string; reason: string }>()("role.skipped", "a role was not started, with why"),
  stallNudged: event<RoleProcess & { reason: string }>()(
    "stall.nudged",
    "a run went quiet or made no progress for too long; its agent was nudged",
  ),
  stallRestarted: event<RoleProcess & { reason: string }>()(
    "stall.restarted",
    "a nudged run stayed stalled; its role process was restarted",
  ),
  stallGaveUp: event<RoleProcess & { reason: string }>()(
    "stall.gave-up",
    "a restarted run stayed stalled; the supervisor gave it up with a report",
  ),

  // the dashboard
  tokenCreated: event<{ name: string }>()(
    "token.created",
    "a dashboard token was made (`gaffer token create`)",
  ),
  tokenRevoked: event<{ name: string }>()(
    "token.revoked",
    "a dashboard token was revoked; it no longer works",
  ),
  dashboardAction: event<{ token: string; action: DashboardAction; target: string | null; error?: string }>()(
    "dashboard.action",
    "someone acted from the dashboard with the named token; `error` when the action was refused",
  ),
} as const;

/** Which event stores each kind of agent update: a builder's, and a reviewer's. */
export type UpdateEvents = Readonly<Record<AgentUpdateKind, EventDef<EventName>>>;

export const BUILDER_UPDATE_EVENTS = {
  message: EVENTS.agentMessage,
  thought: EVENTS.agentThought,
  plan: EVENTS.agentPlan,
  "tool-call": EVENTS.agentToolCall,
  "tool-call-update": EVENTS.agentToolCallUpdate,
  usage: EVENTS.agentUsage,
  permission: EVENTS.agentPermission,
  "file-write": EVENTS.agentFileWrite,
  "file-read": EVENTS.agentFileRead,
  "file-denied": EVENTS.agentFileDenied,
  terminal: EVENTS.agentTerminal,
  output: EVENTS.agentOutput,
  other: EVENTS.agentOther,
} as const satisfies UpdateEvents;

export const REVIEWER_UPDATE_EVENTS = {
  message: EVENTS.reviewAgentMessage,
  thought: EVENTS.reviewAgentThought,
  plan: EVENTS.reviewAgentPlan,
  "tool-call": EVENTS.reviewAgentToolCall,
  "tool-call-update": EVENTS.reviewAgentToolCallUpdate,
  usage: EVENTS.reviewAgentUsage,
  permission: EVENTS.reviewAgentPermission,
  "file-write": EVENTS.reviewAgentFileWrite,
  "file-read": EVENTS.reviewAgentFileRead,
  "file-denied": EVENTS.reviewAgentFileDenied,
  terminal: EVENTS.reviewAgentTerminal,
  output: EVENTS.reviewAgentOutput,
  other: EVENTS.reviewAgentOther,
} as const satisfies UpdateEvents;

type Catalogue = typeof EVENTS;
type AnyDef = Catalogue[keyof Catalogue];

export type EventName = AnyDef["name"];
type PayloadOf<D> = D extends EventDef<string, infer P> ? P : never;
export type EventPayload<N extends EventName> = PayloadOf<Extract<AnyDef, { name: N }>>;

/** An event's name with its data: switch on `type` to read `data`. */
export type EventBody = { [D in AnyDef as D["name"]]: { type: D["name"]; data: PayloadOf<D> } }[EventName];

/** Every definition, in catalogue order. */
export const EVENT_DEFS: readonly EventDef<EventName>[] = Object.values(EVENTS);

const BY_NAME = new Map<string, EventDef<EventName>>(EVENT_DEFS.map((def) => [def.name, def]));

export function isEventName(name: string): name is EventName {
  return BY_NAME.has(name);
}

/** The definition of a name known to be in the catalogue. */
export function eventDef(name: EventName): EventDef<EventName> {
  return BY_NAME.get(name) as EventDef<EventName>;
}

export function isSecurityEvent(name: EventName): boolean {
  return BY_NAME.get(name)?.security ?? false;
}
