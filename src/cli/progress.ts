import { formatDuration } from "../config/index.ts";
import { type EventPayload, EVENTS } from "../store/index.ts";
import type { RunNotice, RunObserver } from "../engine/index.ts";
import type { DenialWeight } from "../guard/index.ts";
import { color } from "./output.ts";
import { refusalOf } from "./refusals.ts";
import { printable } from "../util/index.ts";

/**
 * Shows a run as it happens. On a terminal: milestone lines plus one status line redrawn in place
 * (step, attempt, elapsed, last event). Elsewhere: one plain line per milestone.
 */
export class RunProgress implements RunObserver {
  readonly #live: boolean;
  readonly #out: NodeJS.WriteStream;
  readonly #started = Date.now();
  #step = "starting";
  #attempt = 0;
  #last = "";
  #timer: NodeJS.Timeout | undefined;
  #frame = 0;
  /** Harmless refusals seen so far: the first is shown, the rest only counted. */
  #probes = 0;

  constructor(options: { live: boolean; out?: NodeJS.WriteStream }) {
    this.#out = options.out ?? process.stderr;
    this.#live = options.live;
    if (this.#live) this.#timer = setInterval(() => this.#draw(), 120);
  }

  onNotice(notice: RunNotice): void {
    const view = describe(notice);
    if ("attempt" in notice.data) this.#attempt = notice.data.attempt;
    this.#step = view.step ?? this.#step;
    const refusal = describeRefusal(notice);
    if (refusal?.weight === "probe" && this.#probes++ > 0) return;
    const milestone = refusal?.text ?? view.milestone;
    if (milestone) this.#line(milestone);
    else this.#last = view.activity ?? this.#last;
  }

  /** Prints a line above the status line (or plainly). */
  note(text: string): void {
    this.#line(text);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#live) this.#out.write("\r\u001b[2K");
  }

  #line(text: string): void {
    const stamp = color.dim(`[${formatDuration(Date.now() - this.#started).padStart(6)}]`);
    if (this.#live) this.#out.write("\r\u001b[2K");
    this.#out.write(`${stamp} ${text}\n`);
    if (this.#live) this.#draw();
  }

  #draw(): void {
    const spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"[this.#frame++ % 10];
    const width = (this.#out.columns ?? 100) - 1;
    const parts = [
      spinner,
      this.#step,
      this.#attempt ? `attempt ${this.#attempt}` : "",
      formatDuration(Date.now() - this.#started),
      this.#last,
    ].filter(Boolean);
    const text = parts.join(" · ");
    this.#out.write(`\r\u001b[2K${color.dim(text.length > width ? `${text.slice(0, width - 1)}…` : text)}`);
  }
}

/**
 * A refusal by any layer, weighed: an escape attempt is shown loudly, an agent's routine settings
 * probe once.
 */
function describeRefusal(notice: RunNotice): { text: string; weight: DenialWeight } | undefined {
  const refusal = refusalOf(notice);
  if (!refusal) return undefined;
  const { weight } = refusal;
  if (notice.type === EVENTS.sandboxNetworkDenied.name) {
    const host = shown(notice.data.host);
    return {
      weight,
      text: color.yellow(
        `the sandbox refused a connection to ${host} (not on the allowlist): if the agent needs it, add [sandbox] hosts = ["${host}"]`,
      ),
    };
  }
  const what =
    notice.type === EVENTS.guardDenied.name
      ? refusal.rule
      : `${refusal.tried}${refusal.rule ? ` (${refusal.rule})` : ""}`;
  switch (weight) {
    case "escape":
      return { weight, text: color.red(`REFUSED: the agent tried ${shown(what)}`) };
    case "probe":
      return {
        weight,
        text: color.dim(
          `denied ${shown(what)}: an agent's own git settings, harmless; further ones are only counted`,
        ),
      };
    case "other":
      return { weight, text: color.yellow(`denied by gaffer policy: ${shown(what)}`) };
    default:
      return weight satisfies never;
  }
}

/** An event's field as text fit for the terminal: agents, trackers and workspaces control most of them. */
function shown(value: unknown): string {
  return printable(String(value));
}

/**
 * How the terminal shows an event: the step the run is now at, a milestone line, or the activity
 * on the status line. Every event is decided here, so a new one cannot slip past as a raw name.
 */
interface View {
  step?: string;
  milestone?: string;
  activity?: string;
}

function describe(notice: RunNotice): View {
  switch (notice.type) {
    case EVENTS.runCreated.name: {
      const d = notice.data;
      return {
        step: "preparing the workspace",
        milestone: `run ${notice.runId}: ${shown(d.agent)} agent on branch ${shown(d.branch)} from ${shown(d.base)}`,
      };
    }
    case EVENTS.runPrevious.name: {
      const d = notice.data;
      const next = d.resumable
        ? `, while \`gaffer run ${d.item} --resume\` would continue run ${notice.runId}`
        : `; its report: \`gaffer show ${notice.runId}\``;
      return {
        milestone: color.yellow(
          `item #${d.item} ran before: run ${notice.runId} ${d.state.replace("-", " ")}${d.reason ? ` (${shown(d.reason)})` : ""}; this starts a new run from the base${next}`,
        ),
      };
    }
    case EVENTS.runResumed.name:
      return {
        step: "preparing the workspace",
        milestone: `run ${notice.runId}: resumed (was ${shown(notice.data.from)})`,
      };
    case EVENTS.workspaceCreated.name:
      return { step: "preparing the workspace" };
    case EVENTS.workspaceWarmDiscarded.name:
      return {
        step: "preparing the workspace",
        milestone: color.yellow(
          `a warm clone failed its check and was deleted, not used: ${shown(notice.data.reason)}`,
        ),
      };
    case EVENTS.workspaceSetup.name: {
      const d = notice.data;
      return {
        step: "running the setup steps",
        ...(d.kind === "copied" &&
          d.secret && {
            milestone: color.yellow(
              `WARNING: copied ${shown(d.path)} into the workspace (copy_secrets): the agent can read it`,
            ),
          }),
      };
    }
    case EVENTS.workspaceReady.name:
      return {
        milestone: `workspace ready: ${shown(notice.data.path)} (sandbox: ${shown(notice.data.sandbox)})`,
      };
    case EVENTS.sandboxUnavailable.name:
      return {
        milestone: color.yellow(
          `WARNING: no sandbox (${shown(notice.data.description).replace(/^none: /, "")}): the agent runs with gaffer's guards only`,
        ),
      };
    case EVENTS.sandboxModelKeys.name:
      return { milestone: modelKeysLine(notice.data) };
    case EVENTS.sandboxLoginsUnused.name: {
      const why = notice.data.confined ? '[models] keys = "pass"' : "there is no sandbox";
      return {
        milestone: color.yellow(
          `WARNING: [models] logins ${notice.data.logins.map(shown).join(", ")} not held by gaffer: ${why}; the agent uses its own login`,
        ),
      };
    }
    case EVENTS.modelRateLimited.name: {
      const d = notice.data;
      const until = d.resetsAt === null ? "" : `, until ${clock(d.resetsAt)}`;
      return {
        milestone: color.yellow(
          `${shown(d.host)}: ${d.kind === "rate" ? "rate limited" : "overloaded"} (HTTP ${d.status}${until}); the agent retries`,
        ),
      };
    }
    case EVENTS.modelPlanLimit.name: {
      const d = notice.data;
      return {
        milestone: color.red(
          `${shown(d.host)}: plan limit reached (${shown(d.message)}); the run stops until ${clock(d.until)}, nothing charged`,
        ),
      };
    }
    case EVENTS.modelUsageMismatch.name: {
      const { attempt, reported, wire } = notice.data;
      return {
        milestone: color.dim(
          `attempt ${attempt}: the agent reported ${reported.tokens} tokens, gaffer read ${wire.tokens} in ${wire.requests} requests (what counts)`,
        ),
      };
    }
    case EVENTS.integrityFinding.name:
      return {
        milestone: color.yellow(`integrity ${shown(notice.data.severity)}: ${shown(notice.data.message)}`),
      };
    case EVENTS.limitExceeded.name:
    case EVENTS.budgetExceeded.name:
      return { milestone: color.red(shown(notice.data.reason)) };
    case EVENTS.attemptStarted.name:
    case EVENTS.attemptRestarted.name: {
      const restarted = notice.type === EVENTS.attemptRestarted.name ? " (restarted)" : "";
      return {
        step: "the agent is working",
        milestone: `attempt ${notice.data.attempt}${restarted}: agent working`,
      };
    }
    case EVENTS.agentDone.name: {
      const d = notice.data;
      return {
        step: "checking the agent's work",
        milestone: `attempt ${d.attempt}: agent finished (${shown(d.stopReason)}${d.changed ? "" : ", no change"})`,
      };
    }
    case EVENTS.gateStarted.name:
      return { step: notice.data.parallel ? "running the gate, its steps together" : "running the gate" };
    case EVENTS.gateStepStarted.name:
      return { step: `running the gate: ${shown(notice.data.name)}` };
    case EVENTS.gateStepFinished.name: {
      const d = notice.data;
      const verdict = d.passed
        ? color.green("passed")
        : color.red(d.timedOut ? "timed out" : `failed (exit ${String(d.exitCode)})`);
      return { milestone: `  gate ${shown(d.name)}: ${verdict} in ${formatDuration(d.durationMs)}` };
    }
    case EVENTS.gateKilled.name:
      return {
        milestone: color.yellow(
          `  gate ${shown(notice.data.name)}: killed from outside (SIGKILL, not sent by gaffer): not a red gate, attempt ${notice.data.attempt} is not charged`,
        ),
      };
    case EVENTS.gatePassed.name:
      return { milestone: color.green(`attempt ${notice.data.attempt}: gate green`) };
    case EVENTS.gateFailed.name:
      return { milestone: color.red(`attempt ${notice.data.attempt}: gate red`) };
    case EVENTS.proposalStarted.name:
      return { step: "verifying and proposing" };
    case EVENTS.runProposed.name: {
      const { branch, commits } = notice.data;
      return {
        milestone: color.green(`proposal: ${shown(branch)} (${commits} commit${commits === 1 ? "" : "s"})`),
      };
    }
    case EVENTS.runGaveUp.name:
      return { milestone: color.red(`gave up: ${shown(notice.data.reason)}`) };
    case EVENTS.runRebased.name: {
      const d = notice.data;
      const how =
        d.conflicts.length === 0 ? "cleanly" : `with ${d.conflicts.length} conflicting file(s) for the agent`;
      return { milestone: color.yellow(`rebased onto ${d.onto.slice(0, 12)} ${how}`) };
    }
    case EVENTS.runFailed.name:
      return { milestone: color.red(`failed: ${shown(notice.data.reason)}`) };
    case EVENTS.runCancelled.name:
      return { milestone: color.yellow("cancelled; the workspace is kept") };
    case EVENTS.workspaceTampered.name:
      return {
        milestone: color.yellow(
          `workspace git config was changed by the agent; restored (${shown(notice.data.savedAs)})`,
        ),
      };
    case EVENTS.agentMessage.name:
    case EVENTS.agentThought.name:
      return { activity: `agent: ${printable(notice.data.text.replace(/\s+/g, " ").trim().slice(0, 60))}` };
    case EVENTS.agentToolCall.name:
      return { activity: `tool: ${shown(notice.data.title)}` };
    case EVENTS.agentTerminal.name:
      return { activity: `ran: ${shown(notice.data.command)}` };
    case EVENTS.agentFileWrite.name:
      return { activity: `wrote ${shown(notice.data.path)}` };
    case EVENTS.agentPermission.name:
      return { activity: `permission ${shown(notice.data.decision)}: ${shown(notice.data.title)}` };
    // Shown elsewhere (refusals, `gaffer show`, `gaffer logs`), or not about a run's progress.
    case EVENTS.agentPrompt.name:
    case EVENTS.agentPlan.name:
    case EVENTS.agentFileRead.name:
    case EVENTS.agentNudged.name:
    case EVENTS.agentError.name:
    case EVENTS.agentSessionContinued.name:
    case EVENTS.agentToolCallUpdate.name:
    case EVENTS.agentUsage.name:
    case EVENTS.agentFileDenied.name:
    case EVENTS.agentOutput.name:
    case EVENTS.agentOther.name:
    case EVENTS.guardDenied.name:
    case EVENTS.guardNoted.name:
    case EVENTS.guardLogReplaced.name:
    case EVENTS.guardAgentRules.name:
    case EVENTS.sandboxNetworkDenied.name:
    case EVENTS.gateSetup.name:
    case EVENTS.gateOutputs.name:
    case EVENTS.proposalCommitted.name:
    case EVENTS.proposalRecorded.name:
    case EVENTS.runInterrupted.name:
    case EVENTS.runDiscarded.name:
    case EVENTS.runRevising.name:
    case EVENTS.workspaceSnapshot.name:
    case EVENTS.itemCreated.name:
    case EVENTS.itemEdited.name:
    case EVENTS.itemClosed.name:
    case EVENTS.itemReopened.name:
    case EVENTS.itemHeld.name:
    case EVENTS.itemParked.name:
    case EVENTS.claimTaken.name:
    case EVENTS.claimReleased.name:
    case EVENTS.claimExpired.name:
    case EVENTS.trackerClaimed.name:
    case EVENTS.reviewStarted.name:
    case EVENTS.reviewInvalid.name:
    case EVENTS.reviewApproved.name:
    case EVENTS.reviewChangesRequested.name:
    case EVENTS.reviewWorkspaceRemoved.name:
    case EVENTS.reviewAgentMessage.name:
    case EVENTS.reviewAgentThought.name:
    case EVENTS.reviewAgentPlan.name:
    case EVENTS.reviewAgentToolCall.name:
    case EVENTS.reviewAgentToolCallUpdate.name:
    case EVENTS.reviewAgentUsage.name:
    case EVENTS.reviewAgentPermission.name:
    case EVENTS.reviewAgentFileWrite.name:
    case EVENTS.reviewAgentFileRead.name:
    case EVENTS.reviewAgentFileDenied.name:
    case EVENTS.reviewAgentTerminal.name:
    case EVENTS.reviewAgentOutput.name:
    case EVENTS.reviewAgentOther.name:
    case EVENTS.vaultMerged.name:
    case EVENTS.trackerDelivery.name:
    case EVENTS.trackerDeliveryRefused.name:
    case EVENTS.trackerSynced.name:
    case EVENTS.publishPushed.name:
    case EVENTS.publishPullOpened.name:
    case EVENTS.publishCommented.name:
    case EVENTS.factoryPaused.name:
    case EVENTS.factoryResumed.name:
    case EVENTS.phaseAdvanced.name:
    case EVENTS.phaseSet.name:
    case EVENTS.supervisorStarted.name:
    case EVENTS.supervisorPaused.name:
    case EVENTS.supervisorBackendPaused.name:
    case EVENTS.itemRetrying.name:
    case EVENTS.supervisorStopped.name:
    case EVENTS.supervisorError.name:
    case EVENTS.roleStarted.name:
    case EVENTS.roleExited.name:
    case EVENTS.roleDied.name:
    case EVENTS.roleHealing.name:
    case EVENTS.roleGaveUp.name:
    case EVENTS.roleScheduled.name:
    case EVENTS.roleSkipped.name:
    case EVENTS.stallNudged.name:
    case EVENTS.stallRestarted.name:
    case EVENTS.stallGaveUp.name:
    case EVENTS.tokenCreated.name:
    case EVENTS.tokenRevoked.name:
    case EVENTS.dashboardAction.name:
    case EVENTS.trackStarted.name:
    case EVENTS.trackTaskDone.name:
    case EVENTS.trackCheckpoint.name:
    case EVENTS.trackStopped.name:
    case EVENTS.trackCompleted.name:
    case EVENTS.trackerListening.name:
    case EVENTS.trackerThrottled.name:
    case EVENTS.trackerPullsWatched.name:
    case EVENTS.forgePullEvent.name:
    case EVENTS.reactionSkipped.name:
    case EVENTS.reactionEscalated.name:
    case EVENTS.reactionNotified.name:
    case EVENTS.reactionMergeRequested.name:
    case EVENTS.reactionAnswered.name:
    case EVENTS.reactionPullClosed.name:
    case EVENTS.publishRequested.name:
    case EVENTS.runReopened.name:
      return {};
    default:
      return notice satisfies never;
  }
}

/** Which keys stay with gaffer, and a warning for each that enters the agent's environment. */
function modelKeysLine(data: EventPayload<typeof EVENTS.sandboxModelKeys.name>): string {
  const kept = data.hosts.map((h) => `${shown(h.host)} (${h.variables.map(shown).join(", ")})`).join(", ");
  const lines = kept ? [`model keys stay with gaffer's proxy: ${kept}`] : [];
  if (data.passed.length > 0) {
    const why = !data.confined
      ? "there is no sandbox"
      : data.keys === "pass"
        ? '[models] keys = "pass"'
        : "no model host of the run takes them ([models.hosts])";
    lines.push(
      color.yellow(`WARNING: ${data.passed.map(shown).join(", ")} enter the agent's environment: ${why}`),
    );
  }
  return lines.join("\n");
}

/** A time of day, for limits that reset soon. */
function clock(at: number): string {
  return new Date(at).toLocaleTimeString();
}
