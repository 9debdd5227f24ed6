import type { Identity } from "../workspace/index.ts";
import { addNote, commitTree, hardenedGit, moveBranch, treeWithFiles } from "../workspace/index.ts";
import type { Track } from "./layout.ts";
import {
  markPhaseCheckpoint,
  markTaskDone,
  type Plan,
  type PlanPhase,
  type PlanTask,
  renderPlan,
} from "./plan.ts";

/** The track's branch as gaffer grows it: its tip, and who gaffer's commits are by. */
export interface TrackBranch {
  root: string;
  branch: string;
  tip: string;
  identity: Identity;
}

/**
 * A task done, Conductor's way: one commit of the work (`<type>(<scope>): <desc>`) with a summary
 * as its git note, then `conductor(plan): Mark task '<name>' as complete` setting `[x] … [sha7]`.
 * The branch moves only from the tip gaffer saw. Returns the task's commit.
 */
export async function commitTask(
  at: TrackBranch,
  track: Track & { plan: Plan },
  task: PlanTask,
  work: { tree: string; subject: string; note: string },
): Promise<string> {
  const commit = await commitTree(at.root, {
    tree: work.tree,
    parent: at.tip,
    message: `${work.subject}\n`,
    identity: at.identity,
  });
  await addNote(at.root, commit, work.note, at.identity);
  const plan = markTaskDone(track.plan, task, commit);
  await commitPlan(at, track, plan, commit, `conductor(plan): Mark task '${task.name}' as complete`);
  return commit;
}

/**
 * A phase's end: `conductor(checkpoint): Checkpoint end of Phase N` (no change, its verification
 * as its note), then `conductor(plan): Mark phase '<name>' as complete` with `[checkpoint: sha7]`.
 */
export async function commitCheckpoint(
  at: TrackBranch,
  track: Track & { plan: Plan },
  phase: PlanPhase,
  note: string,
): Promise<string> {
  const tree = await hardenedGit(at.root, ["rev-parse", `${at.tip}^{tree}`]);
  const commit = await commitTree(at.root, {
    tree,
    parent: at.tip,
    message: `conductor(checkpoint): Checkpoint end of Phase ${phase.number}\n`,
    identity: at.identity,
  });
  await addNote(at.root, commit, note, at.identity);
  const plan = markPhaseCheckpoint(track.plan, phase, commit);
  await commitPlan(at, track, plan, commit, `conductor(plan): Mark phase '${phase.name}' as complete`);
  return commit;
}

/** One commit of `files` (paths from the root) on the tip, and the branch moved to it. */
export async function commitFiles(
  at: TrackBranch,
  files: Readonly<Record<string, string>>,
  message: string,
): Promise<string> {
  const tree = await treeWithFiles(at.root, at.tip, files);
  const commit = await commitTree(at.root, {
    tree,
    parent: at.tip,
    message: `${message}\n`,
    identity: at.identity,
  });
  await moveBranch(at.root, at.branch, commit, at.tip);
  at.tip = commit;
  return commit;
}

/** The commit `tree` makes on the tip (no plan change), the branch moved to it: a fix of the finished track. */
export async function commitWork(
  at: TrackBranch,
  tree: string,
  subject: string,
  note: string,
): Promise<string> {
  const commit = await commitTree(at.root, {
    tree,
    parent: at.tip,
    message: `${subject}\n`,
    identity: at.identity,
  });
  await addNote(at.root, commit, note, at.identity);
  await moveBranch(at.root, at.branch, commit, at.tip);
  at.tip = commit;
  return commit;
}

async function commitPlan(
  at: TrackBranch,
  track: Track,
  plan: Plan,
  parent: string,
  message: string,
): Promise<void> {
  const tree = await treeWithFiles(at.root, parent, { [`${track.dir}/plan.md`]: renderPlan(plan) });
  const commit = await commitTree(at.root, { tree, parent, message: `${message}\n`, identity: at.identity });
  await moveBranch(at.root, at.branch, commit, at.tip);
  at.tip = commit;
}

/** Conductor's commit type for a track type: feature → feat, bug → fix; chore, refactor… as they are. */
export function commitType(trackType: string | undefined): string {
  const type = (trackType ?? "").toLowerCase();
  if (type === "feature" || type === "") return "feat";
  if (type === "bug" || type === "bugfix") return "fix";
  return /^[a-z]+$/.test(type) ? type : "feat";
}

/** The scope of a track's commits: its id without the `_YYYYMMDD` Conductor adds. */
export function commitScope(trackId: string): string {
  return trackId.replace(/_\d{8}$/, "");
}
