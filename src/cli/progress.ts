import { formatDuration } from "../config/index.ts";
import type { RunNotice, RunObserver } from "../engine/index.ts";
import { printable } from "../util/printable.ts";
import { color } from "./output.ts";

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

  constructor(options: { live: boolean; out?: NodeJS.WriteStream }) {
    this.#out = options.out ?? process.stderr;
    this.#live = options.live;
    if (this.#live) this.#timer = setInterval(() => this.#draw(), 120);
  }

  onNotice(notice: RunNotice): void {
    this.#track(notice);
    const milestone = describeMilestone(notice);
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
    const state = notice.data.state;
    if (typeof state === "string") this.#step = printable(state);
    if (typeof notice.data.attempt === "number") this.#attempt = notice.data.attempt;
    if (notice.type === "gate.step.started") this.#step = `gate: ${shown(notice.data.name)}`;
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
    case "guard.denied":
      return color.yellow(`denied by gaffer policy: ${shown(d.rule)}`);
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
      return notice.type;
  }
}
