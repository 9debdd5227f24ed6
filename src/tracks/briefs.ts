import type { Track } from "./layout.ts";
import type { PlanPhase, PlanTask } from "./plan.ts";

const MAX_TITLE = 120;

/** A task as a work item: its line in plan.md with its sub-tasks and notes, and where the track's files are. */
export function taskItem(track: Track, phase: PlanPhase, task: PlanTask): { title: string; body: string } {
  const title = `${track.id} ${task.key}: ${task.name}`;
  return {
    title: title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title,
    body: [
      `Task ${task.key} of track ${track.id} (${track.description}), phase ${phase.number}: ${phase.name}.`,
      "",
      task.text,
      "",
      `The track's spec is ${track.dir}/spec.md and its plan ${track.dir}/plan.md: read them for context.`,
      `gaffer keeps the track's files and the plan's markers; do not change anything under ${track.dir}/.`,
    ].join("\n"),
  };
}

/** The completion gate as a work item, for when it fails on the finished track. */
export function completionItem(track: Track): { title: string; body: string } {
  return {
    title: `${track.id}: the completion gate`,
    body: [
      `Every task of track ${track.id} (${track.description}) is done.`,
      `The track's spec is ${track.dir}/spec.md and its plan ${track.dir}/plan.md.`,
      `gaffer keeps the track's files; do not change anything under ${track.dir}/.`,
    ].join("\n"),
  };
}

/** What each phase asks of the agent, beyond the task: gaffer's own words, then the role's prompt. */
export function phaseInstructions(phase: "red" | "green" | "complete", command: string): string {
  switch (phase) {
    case "red":
      return [
        "Red phase: write the tests for this task, and only the tests. Do not implement the task.",
        `gaffer then runs \`${command}\` itself and requires it to fail: that proves the tests check`,
        "something the code does not do yet. Tests that pass now count as a failure of this phase.",
      ].join("\n");
    case "green":
      return [
        "Green phase: the tests for this task were written in the red phase and fail (their output is",
        "below). Implement the task so that gaffer's gate passes. Do not weaken, skip or delete tests:",
        "gaffer checks, and only the gate it runs itself counts.",
      ].join("\n");
    case "complete":
      return [
        `Every task is done, but the track's completion gate \`${command}\` fails (its output is below).`,
        "Fix the code so that it passes. Do not weaken the gate or the tests.",
      ].join("\n");
    default:
      return phase satisfies never;
  }
}
