import { isAbsolute, join, relative } from "node:path";
import { formatDuration } from "../config/index.ts";
import { fencedBlock, printable, readAgentFile, writeFreshFile } from "../util/index.ts";
import type { Failcount } from "./failcount.ts";
import type { TrackState } from "./state.ts";

/** Why a track gave up: the counter that reached its limit, the watchdog, or a run that could not go on. */
export type GiveUpSignal = "red-limit" | "green-limit" | "no-progress" | "run-failed";

const STOPPED_FILE = ".STOPPED";

export interface FailureReport {
  state: TrackState;
  failcount: Failcount;
  signal: GiveUpSignal;
  detail: string;
  /** `git log --oneline <branch> ^<base>`. */
  gitLog: string;
  /** How long since the last progress when it stopped. */
  quietMs: number;
}

/**
 * Tier 2's failure report, its seven sections in order — header, tasks completed, current task,
 * last 3 failures, failcount state, git state, recommendation — written to
 * `<failures_dir>/<track>_<timestamp>.md`, with the `.STOPPED` flag next to it. Returns its path.
 */
export function writeFailureReport(root: string, failuresDir: string, report: FailureReport): string {
  const { state } = report;
  const stopped = new Date();
  const dir = isAbsolute(failuresDir) ? failuresDir : join(root, failuresDir);
  const file = join(dir, `${state.track}_${stamp(stopped)}.md`);
  const within = relative(root, dir).startsWith("..") ? dir : root;
  writeFreshFile(file, renderFailureReport(report, stopped), { within });
  writeFreshFile(
    join(dir, STOPPED_FILE),
    `track = ${JSON.stringify(state.track)}\nsignal = ${JSON.stringify(report.signal)}\nreport = ${JSON.stringify(file)}\nstopped = ${JSON.stringify(stopped.toISOString())}\n`,
    { within },
  );
  return file;
}

export function renderFailureReport(report: FailureReport, stopped: Date): string {
  const { state, failcount } = report;
  const started = new Date(state.started_at);
  const current = state.current;
  const failures = state.failures.slice(-3).reverse();
  const text = (value: string) => printable(value, "text");
  return [
    `# Tier 2 failure report: ${state.track}`,
    "",
    "## 1. Header",
    "",
    `- Track: ${state.track}`,
    `- Branch: ${state.branch} (from ${state.base_branch} ${state.base_commit.slice(0, 7)})`,
    `- Started: ${started.toISOString()}`,
    `- Stopped: ${stopped.toISOString()}`,
    `- Duration: ${formatDuration(stopped.getTime() - started.getTime())}`,
    `- Give-up signal: ${report.signal}: ${text(report.detail)}`,
    "",
    "## 2. Tasks completed",
    "",
    ...(state.completed.length
      ? state.completed.map((task) => `- [x] ${task.task} ${text(task.name)} [${task.commit.slice(0, 7)}]`)
      : ["(none)"]),
    "",
    "## 3. Current task",
    "",
    current
      ? `${current.task} ${text(current.name)}: ${current.phase} phase${current.run === null ? "" : `, gaffer run ${current.run} (\`gaffer show ${current.run}\`, \`gaffer logs ${current.run}\`)`}`
      : "(none)",
    "",
    "## 4. Last 3 failures",
    "",
    ...(failures.length
      ? failures.flatMap((failure) => [
          `### ${failure.at}: task ${failure.task}, ${failure.phase} phase, run ${failure.run} attempt ${failure.attempt}`,
          "",
          fenced(failure.summary),
          "",
        ])
      : ["(none)", ""]),
    "## 5. Failcount state",
    "",
    `| counter | now | limit |`,
    `| --- | --- | --- |`,
    `| consecutive red-phase failures | ${state.consecutive_red_failures} | ${failcount.red} |`,
    `| consecutive green-phase failures | ${state.consecutive_green_failures} | ${failcount.green} |`,
    `| minutes without progress | ${minutes(report.quietMs)} | ${minutes(failcount.noProgressMs)} |`,
    "",
    `Thresholds from ${failcount.file ?? "Tier 2's defaults (no failcount.toml)"}. Last commit: ${state.last_commit_at ?? "none"}; last green gate: ${state.last_green_at ?? "none"}.`,
    "",
    "## 6. Git state",
    "",
    `\`git log --oneline ${state.branch} ^${state.base_branch}\`:`,
    "",
    fenced(report.gitLog || "(no commits yet)"),
    "",
    "## 7. Recommendation",
    "",
    recommendation(report),
    "",
  ].join("\n");
}

function recommendation(report: FailureReport): string {
  const resume = `then \`gaffer track run ${report.state.track} --resume\``;
  switch (report.signal) {
    case "red-limit":
      return `The red phase kept writing tests that pass before the task is implemented: the task may be done already, or too vague to test. Reword it in plan.md (or mark it done), ${resume}.`;
    case "green-limit":
      return `The implementation kept failing the gate. Read the failures above: the task may be too big (split it in plan.md), or the red phase's tests may be wrong (see its run). Fix that, ${resume}.`;
    case "no-progress":
      return `Nothing was committed and no gate met its goal for ${minutes(report.failcount.noProgressMs)} minutes: the agent may be stuck, or the gate slow. Look at the current run's log; raise no_progress_minutes in failcount.toml if the gate is slow, ${resume}.`;
    case "run-failed":
      return `A run could not go on (${printable(report.detail)}). Fix what it names, ${resume}: the run continues where it stopped.`;
    default:
      return report.signal satisfies never;
  }
}

/** The `.STOPPED` flag: which track stopped, why, and its report; undefined when there is none. */
export function readStopped(
  root: string,
  failuresDir: string,
): { track: string; signal: string; report: string; stopped: string; file: string } | undefined {
  const file = join(isAbsolute(failuresDir) ? failuresDir : join(root, failuresDir), STOPPED_FILE);
  const read = readAgentFile(file, { maxBytes: 64 * 1024 });
  if (!read.ok) return undefined;
  const fields = Object.fromEntries(
    read.data
      .toString("utf8")
      .split(/\r?\n/)
      .map((line) => /^(\w+)\s*=\s*"(.*)"\s*$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1], JSON.parse(`"${match[2]}"`) as string]),
  );
  return {
    track: fields.track ?? "",
    signal: fields.signal ?? "",
    report: fields.report ?? "",
    stopped: fields.stopped ?? "",
    file,
  };
}

/** Agent-controlled text in a block it cannot close early. */
export function fenced(text: string): string {
  return fencedBlock(printable(text, "text").replace(/\n$/, ""), "text");
}

function minutes(ms: number): string {
  return String(Math.round((ms / 60_000) * 10) / 10);
}

/** `20260617_143005`, UTC: a timestamp that sorts and names a file on every system. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
}
