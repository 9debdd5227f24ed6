import { formatDuration } from "../config/index.ts";
import type { RunNotice, RunObserver } from "../engine/index.ts";
import type { DenialWeight } from "../guard/index.ts";
import { printable } from "../util/printable.ts";
import { color } from "./output.ts";
import { refusalOf } from "./refusals.ts";

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
    this.#track(notice);
    const refusal = describeRefusal(notice);
    if (refusal?.weight === "probe" && this.#probes++ > 0) return;
    const milestone = refusal?.text ?? describeMilestone(notice);
    if (milestone) this.#line(milestone);
    else this.#last = describeActivity(notice) ?? this.#last;
  }

  /** Prints a line above the status line (or plainly). */
  note(text: string): void {
    this.#line(text);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#live) this.#out.write("\r\u001b[2K");
  }

  #track(notice: RunNotice): void {
    if (typeof notice.data.attempt === "number") this.#attempt = notice.data.attempt;
    this.#step = stepOf(notice) ?? this.#step;
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

/** What the run is doing once this event happened, in words; undefined when the event does not change it. */
function stepOf(notice: RunNotice): string | undefined {
  switch (notice.type) {
    case "run.created":
    case "run.resumed":
    case "workspace.created":
      return "preparing the workspace";
    case "workspace.setup":
      return "running the setup steps";
    case "attempt.started":
    case "attempt.restarted":
      return "the agent is working";
    case "agent.done":
      return "checking the agent's work";
    case "gate.started":
      return "running the gate";
    case "gate.step.started":
      return `running the gate: ${shown(notice.data.name)}`;
    case "proposal.started":
      return "verifying and proposing";
    default:
      return undefined;
  }
}

/**
 * A refusal by any layer, weighed: an escape attempt is shown loudly, an agent's routine settings
 * probe once.
 */
function describeRefusal(notice: RunNotice): { text: string; weight: DenialWeight } | undefined {
  const refusal = refusalOf(notice.type, notice.data);
  if (!refusal) return undefined;
  const { weight } = refusal;
  if (notice.type === "sandbox.network-denied") {
    const host = shown(notice.data.host);
    return {
      weight,
      text: color.yellow(
        `the sandbox refused a connection to ${host} (not on the allowlist): if the agent needs it, add [sandbox] hosts = ["${host}"]`,
      ),
    };
  }
  const what =
    notice.type === "guard.denied"
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

function describeMilestone(notice: RunNotice): string | undefined {
  const d = notice.data;
  switch (notice.type) {
    case "run.created":
      return `run ${notice.runId}: ${shown(d.agent)} agent on branch ${shown(d.branch)} from ${shown(d.base)}`;
    case "run.previous":
      return color.yellow(
        `item #${String(d.item)} ran before: run ${notice.runId} ${String(d.state).replace("-", " ")}${d.reason ? ` (${shown(d.reason)})` : ""}; this starts a new run from the base${d.resumable ? `, while \`gaffer run ${String(d.item)} --resume\` would continue run ${notice.runId}` : `; its report: \`gaffer show ${notice.runId}\``}`,
      );
    case "run.resumed":
      return `run ${notice.runId}: resumed (was ${shown(d.from)})`;
    case "workspace.setup":
      return d.kind === "copied" && d.secret === true
        ? color.yellow(
            `WARNING: copied ${shown(d.path)} into the workspace (copy_secrets): the agent can read it`,
          )
        : undefined;
    case "workspace.ready":
      return `workspace ready: ${shown(d.path)} (sandbox: ${shown(d.sandbox ?? "none")})`;
    case "sandbox.unavailable":
      return color.yellow(
        `WARNING: no sandbox (${shown(d.description).replace(/^none: /, "")}): the agent runs with gaffer's guards only`,
      );
    case "integrity.finding":
      return color.yellow(`integrity ${shown(d.severity)}: ${shown(d.message)}`);
    case "limit.exceeded":
    case "budget.exceeded":
      return color.red(shown(d.reason));
    case "attempt.started":
    case "attempt.restarted":
      return `attempt ${String(d.attempt)}${notice.type === "attempt.restarted" ? " (restarted)" : ""}: agent working`;
    case "agent.done":
      return `attempt ${String(d.attempt)}: agent finished (${shown(d.stopReason)}${d.changed ? "" : ", no change"})`;
    case "gate.step.finished":
      return `  gate ${shown(d.name)}: ${d.passed ? color.green("passed") : color.red(d.timedOut ? "timed out" : `failed (exit ${String(d.exitCode)})`)} in ${formatDuration(Number(d.durationMs))}`;
    case "gate.passed":
      return color.green(`attempt ${String(d.attempt)}: gate green`);
    case "gate.failed":
      return color.red(`attempt ${String(d.attempt)}: gate red`);
    case "run.proposed":
      return color.green(
        `proposal: ${shown(d.branch)} (${String(d.commits)} commit${d.commits === 1 ? "" : "s"})`,
      );
    case "run.gave-up":
    case "run.failed":
      return color.red(`${notice.type === "run.gave-up" ? "gave up" : "failed"}: ${shown(d.reason)}`);
    case "run.cancelled":
      return color.yellow("cancelled; the workspace is kept");
    case "workspace.tampered":
      return color.yellow(`workspace git config was changed by the agent; restored (${shown(d.savedAs)})`);
    default:
      return undefined;
  }
}

function describeActivity(notice: RunNotice): string | undefined {
  const d = notice.data;
  switch (notice.type) {
    case "agent.message":
    case "agent.thought":
      return `agent: ${printable(String(d.text).replace(/\s+/g, " ").trim().slice(0, 60))}`;
    case "agent.tool-call":
      return `tool: ${shown(d.title)}`;
    case "agent.terminal":
      return `ran: ${shown(d.command)}`;
    case "agent.file-write":
      return `wrote ${shown(d.path)}`;
    case "agent.permission":
      return `permission ${shown(d.decision)}: ${shown(d.title)}`;
    default:
      return undefined;
  }
}
