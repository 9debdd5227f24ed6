import { formatDuration } from "../config/index.ts";
import { printable } from "../util/index.ts";
import type { Track } from "./layout.ts";
import type { Plan } from "./plan.ts";
import { fenced } from "./reports.ts";
import type { TrackState } from "./state.ts";

/** One command of the completion gate as gaffer saw it run: its exit, its time, its real output. */
export interface CompletionStep {
  command: string;
  exitCode: number;
  durationMs: number;
  output: string;
  /** Where the full output is, when the report holds only part of it. */
  truncatedAt: string | undefined;
}

/** The run whose gate was the completion gate, and what each of its commands did. */
export interface CompletionEvidence {
  run: number;
  attempt: number;
  steps: CompletionStep[];
}

/**
 * `TRACK_COMPLETION_<track>.md`: what the track did, commit by commit, and the completion gate's
 * output exactly as gaffer captured it when it ran the gate itself. The agent writes none of it.
 */
export function renderCompletionReport(
  track: Track & { plan: Plan },
  state: TrackState,
  evidence: CompletionEvidence,
  completedAt: Date,
): string {
  const text = (value: string) => printable(value);
  const manual = track.plan.phases.flatMap((phase) =>
    phase.tasks.filter((task) => task.verifies !== undefined && task.status !== "done"),
  );
  return [
    `# Track completion: ${state.track}`,
    "",
    text(track.description),
    "",
    `- Branch: ${state.branch} (from ${state.base_branch} ${state.base_commit.slice(0, 7)})`,
    `- Started: ${state.started_at}`,
    `- Completed: ${completedAt.toISOString()}`,
    `- Duration: ${formatDuration(completedAt.getTime() - new Date(state.started_at).getTime())}`,
    "",
    "## Tasks",
    "",
    ...state.completed.map((task) => `- [x] ${task.task} ${text(task.name)} [${task.commit.slice(0, 7)}]`),
    "",
    "Each task was written test-first: gaffer ran its tests and saw them fail (red), then ran the",
    "gate and saw it pass (green). Every commit's git note names the runs that prove it.",
    "",
    "## Phases",
    "",
    ...track.plan.phases.map(
      (phase) => `- Phase ${phase.number}: ${text(phase.name)} [checkpoint: ${phase.checkpoint ?? "none"}]`,
    ),
    ...(manual.length
      ? [
          "",
          "Manual verification is left to you (gaffer does not tick these):",
          "",
          ...manual.map((task) => `- [ ] ${text(task.name)}`),
        ]
      : []),
    "",
    "## Completion gate",
    "",
    `gaffer ran the completion gate on the finished track itself (run ${evidence.run}, attempt ${evidence.attempt}). Each command's output, as captured:`,
    "",
    ...evidence.steps.flatMap((step) => [
      `### \`${text(step.command)}\`: exit ${step.exitCode} in ${formatDuration(step.durationMs)}`,
      "",
      fenced(step.output),
      ...(step.truncatedAt ? ["", `(Shortened; the full output is in ${step.truncatedAt}.)`] : []),
      "",
    ]),
    "## Review and merge",
    "",
    `\`gaffer track review ${state.track}\` prints the fetch, diff and \`merge --no-ff\` sequence.`,
    "",
  ].join("\n");
}
