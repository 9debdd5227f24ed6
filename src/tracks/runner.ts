import { rmSync } from "node:fs";
import type { Project } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { appendEvent, EVENTS } from "../store/index.ts";
import {
  defaultBranchTip,
  detectDefaultBranch,
  hardenedGit,
  moveBranch,
  projectGit,
} from "../workspace/index.ts";
import type { Halt, TrackContext, TrackResult, TrackRunOptions } from "./context.ts";
import { readFailcount } from "./failcount.ts";
import { checkpointPhase, completeTrack, stopTrack } from "./finish.ts";
import { checkTrackId, commitReader, readTrack, type Track } from "./layout.ts";
import { type Plan, workTasks } from "./plan.ts";
import { readStopped } from "./reports.ts";
import { freshState, loadState, saveState, type TrackState } from "./state.ts";
import { runTask } from "./task.ts";
import { ProgressWatchdog } from "./watchdog.ts";

/**
 * `gaffer track run <track>`: Tier 2's autonomous track run, with gaffer keeping the count. On
 * `<prefix><track>` from the default branch, each task in plan order is proven red then green by
 * gate runs gaffer makes itself, then committed with its note and its plan marker; each phase
 * ends with a checkpoint, the track with its completion gate and report. It gives up on
 * failcount's limits or the no-progress watchdog, with the seven-section report and `.STOPPED`.
 */
export async function runTrack(project: Project, id: string, options: TrackRunOptions): Promise<TrackResult> {
  checkTrackId(id);
  const settings = project.config.tracks;
  const failcount = readFailcount(project.root, settings.failcount);
  const loaded = loadState(project.root, settings.stateDir, id);
  if (loaded && !options.resume) {
    throw new GafferError(
      "run-state",
      `track ${id} has run before (started ${loaded.state.started_at}): its state is ${loaded.file}`,
      `continue it with \`gaffer track run ${id} --resume\`, or remove that file to start over`,
    );
  }
  if (!loaded && options.resume) {
    throw new GafferError(
      "run-state",
      `nothing to resume for track ${id}: no state file`,
      `start it with \`gaffer track run ${id}\``,
    );
  }
  const state = loaded ? await resumedState(project, loaded.state) : await startedState(project, id);
  const watchdog = new ProgressWatchdog(failcount.noProgressMs);
  const at = {
    root: project.root,
    branch: state.branch,
    tip: await projectGit(project.root, ["rev-parse", "--verify", `refs/heads/${state.branch}^{commit}`]),
    identity: project.config.workspace.identity,
  };
  const ctx: TrackContext = {
    project,
    state,
    failcount,
    watchdog,
    options,
    at,
    save: () => saveState(project.root, settings.stateDir, state),
    note: (line) => options.onNote?.(line),
  };
  ctx.save();
  await appendEvent(project.store.db, {}, EVENTS.trackStarted, {
    track: id,
    branch: state.branch,
    base: state.base_commit,
    resumed: loaded !== undefined,
  });
  try {
    const halt = await work(ctx, id);
    if (!("kind" in halt)) return halt;
    if (halt.kind === "give-up") return await stopTrack(ctx, halt);
    state.status = "cancelled";
    ctx.save();
    return {
      outcome: halt.kind,
      track: id,
      branch: state.branch,
      report: undefined,
      signal: undefined,
      detail: halt.detail,
      state,
    };
  } finally {
    watchdog.stop();
  }
}

/** Task after task, checkpoint after phase, then the completion gate: each read afresh from the branch's plan. */
async function work(ctx: TrackContext, id: string): Promise<TrackResult | Halt> {
  for (;;) {
    const track = await trackAt(ctx, id);
    const step = nextStep(track.plan);
    if (step.kind === "checkpoint") await checkpointPhase(ctx, track, step.phase);
    else if (step.kind === "task") {
      const halt = await runTask(ctx, track, step.phase, step.task);
      if (halt) return halt;
    } else return completeTrack(ctx, track);
  }
}

type NextStep =
  | { kind: "task"; phase: Plan["phases"][number]; task: Plan["phases"][number]["tasks"][number] }
  | { kind: "checkpoint"; phase: Plan["phases"][number] }
  | { kind: "complete" };

/** The first phase with work left runs its next task; a finished phase without its checkpoint gets one first. */
function nextStep(plan: Plan): NextStep {
  const work = workTasks(plan);
  for (const phase of plan.phases) {
    const tasks = work.filter((entry) => entry.phase === phase).map((entry) => entry.task);
    const open = tasks.find((task) => task.status !== "done");
    if (open) return { kind: "task", phase, task: open };
    if (tasks.length > 0 && phase.line >= 0 && phase.checkpoint === undefined)
      return { kind: "checkpoint", phase };
  }
  return { kind: "complete" };
}

/** The track as its branch holds it now. */
async function trackAt(ctx: TrackContext, id: string): Promise<Track & { plan: Plan }> {
  const track = await readTrack(
    commitReader(ctx.project.root, ctx.at.tip),
    ctx.project.config.tracks.conductor,
    id,
  );
  if (!track?.plan) {
    throw new GafferError(
      "invalid-input",
      `${ctx.state.branch} no longer has the plan of track ${id}`,
      "gaffer keeps the track's files on its branch; restore them there",
    );
  }
  return track as Track & { plan: Plan };
}

/**
 * A new track run: the track must be committed on the default branch, with a plan and work left;
 * its branch is made there (`git switch -c` without a checkout), and must not exist yet.
 */
async function startedState(project: Project, id: string): Promise<TrackState> {
  const settings = project.config.tracks;
  const { branch: baseBranch, commit: base } = await defaultBranchTip(
    project.root,
    project.config.project.defaultBranch,
  );
  const track = await readTrack(commitReader(project.root, base), settings.conductor, id);
  if (!track || track.archived || !track.plan || workTasks(track.plan).length === 0) {
    const why = !track
      ? `no track ${id} under ${settings.conductor}/tracks/ on ${baseBranch}`
      : track.archived
        ? `track ${id} is archived`
        : `track ${id} has no tasks in its plan.md`;
    throw new GafferError(
      "invalid-input",
      why,
      `commit the track (${settings.conductor}/tracks/${id}/ with spec.md and plan.md) on ${baseBranch}, then run it`,
    );
  }
  const branch = `${settings.branchPrefix}${id}`;
  if ((await hardenedGit(project.root, ["branch", "--list", branch])) !== "") {
    throw new GafferError(
      "run-state",
      `branch ${branch} already exists, but track ${id} has no state`,
      `delete the branch to start the track over (\`git branch -D ${branch}\`), or restore its state file`,
    );
  }
  await moveBranch(project.root, branch, base, null);
  return freshState(id, branch, { branch: baseBranch, commit: base });
}

/**
 * A track run taken up again. A completed track is not run twice; one that gave up gets its
 * counters back to zero (someone looked at it: that is what `--resume` after a stop means) and
 * its `.STOPPED` flag removed.
 */
async function resumedState(project: Project, state: TrackState): Promise<TrackState> {
  if (state.status === "completed") {
    throw new GafferError(
      "run-state",
      `track ${state.track} is completed`,
      `review it with \`gaffer track review ${state.track}\``,
    );
  }
  // A state Tier 2 wrote may not say where the track runs: on its usual branch, from the default's.
  if (!state.branch) state.branch = `${project.config.tracks.branchPrefix}${state.track}`;
  if (!state.base_branch)
    state.base_branch = await detectDefaultBranch(project.root, project.config.project.defaultBranch);
  if (!state.base_commit)
    state.base_commit = await hardenedGit(project.root, ["merge-base", state.branch, state.base_branch]);
  const stopped = readStopped(project.root, project.config.tracks.failuresDir);
  if (stopped?.track === state.track) rmSync(stopped.file, { force: true });
  if (state.status === "stopped") {
    state.consecutive_red_failures = 0;
    state.consecutive_green_failures = 0;
  }
  state.status = "running";
  state.stopped = null;
  return state;
}
