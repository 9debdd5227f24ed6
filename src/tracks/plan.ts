import { joinLines, type Line, replaceLine, splitLines } from "./text-lines.ts";

/** `[ ]`, `[~]` and `[x]`: a task to do, under way, done. */
export type TaskStatus = "todo" | "in-progress" | "done";

export interface PlanTask {
  /** `<phase>.<task>`, both counted from 1 in file order: how state, items and reports name it. */
  key: string;
  /** Its line in the file (0-based). */
  line: number;
  status: TaskStatus;
  /** The text after the marker, without a `Task:` prefix and without the recorded commit. */
  name: string;
  /** The short commit recorded as done (`[abc1234]`), if any. */
  commit: string | undefined;
  /** For a phase's `Conductor - User Manual Verification '<phase>'` meta-task: that phase's name. */
  verifies: string | undefined;
  /** Checkbox lines indented under it, in order. */
  subtasks: PlanTask[];
  /** Its own line and every line under it up to the next task or phase, as the file has them. */
  text: string;
}

export interface PlanPhase {
  /** Counted from 1 in file order. */
  number: number;
  /** The heading's line, or -1 for tasks written before any `## ` heading. */
  line: number;
  /** The heading without `## `, `Phase N:` and the checkpoint: "Setup". */
  name: string;
  checkpoint: string | undefined;
  tasks: PlanTask[];
}

export interface Plan {
  lines: Line[];
  phases: PlanPhase[];
}

const PHASE =
  /^##(?!#)\s+(?:Phase\s*\d+\s*:\s*)?(?<name>.*?)(?<checkpoint>\s*\[checkpoint:\s*(?<sha>[0-9a-f]{7,40})\])?\s*$/di;
const TASK =
  /^(?<indent>[ \t]*)[-*+][ \t]+\[(?<mark>[ xX~])\][ \t]+(?:Task:[ \t]*)?(?<name>.*?)(?<commit>[ \t]+\[(?<sha>[0-9a-f]{7,40})\])?[ \t]*$/d;
const FENCE = /^\s*(`{3,}|~{3,})/;
const VERIFICATION = /^Conductor - User Manual Verification '(.*)'/;

/**
 * Reads a Conductor plan.md: `## Phase N: <name> [checkpoint: sha7]` headings, and under them
 * `- [ ] Task: <name>` lines with sub-tasks indented below (`[~]` under way, `[x] … [sha7]` done).
 * Lines inside code fences are text. Every other line is kept as it is; writing a plan back
 * changes only the lines an edit names.
 */
export function parsePlan(text: string): Plan {
  const lines = splitLines(text);
  const phases: PlanPhase[] = [];
  const boundaries: number[] = [];
  const open: { depth: number; task: PlanTask }[] = [];
  let phase: PlanPhase | undefined;
  let fence: string | undefined;
  for (const [index, line] of lines.entries()) {
    const source = split(line.text, index).source;
    const fenceMark = FENCE.exec(source)?.[1];
    if (fenceMark && (fence === undefined || fenceMark.startsWith(fence))) {
      fence = fence === undefined ? fenceMark : undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = PHASE.exec(source);
    if (heading?.groups) {
      phase = {
        number: phases.length + 1,
        line: index,
        name: heading.groups.name ?? "",
        checkpoint: heading.groups.sha,
        tasks: [],
      };
      phases.push(phase);
      boundaries.push(index);
      open.length = 0;
      continue;
    }
    const match = TASK.exec(source);
    if (!match?.groups) continue;
    if (!phase) {
      phase = { number: 1, line: -1, name: "Plan", checkpoint: undefined, tasks: [] };
      phases.push(phase);
    }
    const depth = width(match.groups.indent ?? "");
    while (open.length > 0 && (open.at(-1) as { depth: number }).depth >= depth) open.pop();
    const parent = open.at(-1)?.task;
    const name = match.groups.name ?? "";
    const task: PlanTask = {
      key: parent
        ? `${parent.key}.${parent.subtasks.length + 1}`
        : `${phase.number}.${phase.tasks.length + 1}`,
      line: index,
      status: statusOf(match.groups.mark ?? " "),
      name,
      commit: match.groups.sha,
      verifies: VERIFICATION.exec(name)?.[1],
      subtasks: [],
      text: "",
    };
    if (parent) parent.subtasks.push(task);
    else {
      phase.tasks.push(task);
      boundaries.push(index);
    }
    open.push({ depth, task });
  }
  for (const task of phases.flatMap((p) => p.tasks)) {
    const end = boundaries.find((line) => line > task.line) ?? lines.length;
    task.text = lines
      .slice(task.line, end)
      .map((line, at) => split(line.text, task.line + at).source)
      .join("\n")
      .trimEnd();
  }
  return { lines, phases };
}

/** The plan as text again: the same bytes unless an edit changed lines. */
export function renderPlan(plan: Plan): string {
  return joinLines(plan.lines);
}

/**
 * Marks a task done with its commit, as Conductor does: `[x]` and ` [sha7]` after its name (an
 * earlier commit replaced), and its open sub-tasks `[x]` too. Only those lines change.
 */
export function markTaskDone(plan: Plan, task: PlanTask, commit: string): Plan {
  let lines = plan.lines;
  for (const each of [task, ...allSubtasks(task)]) {
    lines = replaceLine(lines, each.line, withTaskMark(lines, each.line, each === task ? commit : undefined));
  }
  return parsePlan(joinLines(lines));
}

/** Records a phase's checkpoint on its heading: ` [checkpoint: sha7]`, an earlier one replaced. */
export function markPhaseCheckpoint(plan: Plan, phase: PlanPhase, commit: string): Plan {
  if (phase.line < 0) return plan;
  const line = plan.lines[phase.line] as Line;
  const { prefix, source } = split(line.text, phase.line);
  const match = PHASE.exec(source) as RegExpExecArray & { indices: RegExpIndicesArray };
  const tag = `[checkpoint: ${commit.slice(0, 7)}]`;
  const existing = match.indices.groups?.checkpoint;
  const text = existing
    ? `${source.slice(0, existing[0])} ${tag}${source.slice(existing[1])}`
    : insertBeforeTrailingSpace(source, ` ${tag}`);
  return parsePlan(joinLines(replaceLine(plan.lines, phase.line, prefix + text)));
}

/** Every task a runner works, in order: tasks of every phase, the phase verification meta-tasks aside. */
export function workTasks(plan: Plan): { phase: PlanPhase; task: PlanTask }[] {
  return plan.phases.flatMap((phase) =>
    phase.tasks.filter((task) => task.verifies === undefined).map((task) => ({ phase, task })),
  );
}

function withTaskMark(lines: readonly Line[], index: number, commit: string | undefined): string {
  const { prefix, source } = split((lines[index] as Line).text, index);
  const match = TASK.exec(source) as RegExpExecArray & { indices: RegExpIndicesArray };
  const mark = match.indices.groups?.mark as [number, number];
  let text = `${source.slice(0, mark[0])}x${source.slice(mark[1])}`;
  if (commit !== undefined) {
    const tag = `[${commit.slice(0, 7)}]`;
    const existing = match.indices.groups?.commit;
    text = existing
      ? `${text.slice(0, existing[0])} ${tag}${text.slice(existing[1])}`
      : insertBeforeTrailingSpace(text, ` ${tag}`);
  }
  return prefix + text;
}

function allSubtasks(task: PlanTask): PlanTask[] {
  return task.subtasks.flatMap((sub) => [sub, ...allSubtasks(sub)]);
}

function insertBeforeTrailingSpace(text: string, insert: string): string {
  const end = text.trimEnd().length;
  return text.slice(0, end) + insert + text.slice(end);
}

function statusOf(mark: string): TaskStatus {
  if (mark === "~") return "in-progress";
  return mark === " " ? "todo" : "done";
}

/** Indentation width, a tab counting as four spaces. */
function width(indent: string): number {
  return [...indent].reduce((sum, char) => sum + (char === "\t" ? 4 : 1), 0);
}

function split(text: string, index: number): { prefix: string; source: string } {
  return index === 0 && text.startsWith("\uFEFF")
    ? { prefix: "\uFEFF", source: text.slice(1) }
    : { prefix: "", source: text };
}
