import { rmSync } from "node:fs";
import { openProject, openProjectReadOnly } from "../../engine/index.ts";
import { EXIT, GafferError } from "../../errors.ts";
import {
  checkTrackId,
  notifyTrack,
  readStopped,
  reviewSteps,
  runTrack,
  type TrackOverview,
  type TrackResult,
  trackOverview,
  trackOverviews,
} from "../../tracks/index.ts";
import { printable } from "../../util/index.ts";
import { branchMergeRequest, currentIdentity, submit } from "../../vault/index.ts";
import { detectDefaultBranch } from "../../workspace/index.ts";
import { cancellable } from "../cancellable.ts";
import { color, formatTable, print, printJson } from "../output.ts";
import { RunProgress } from "../progress.ts";
import { scriptedAgentCommand } from "./run.ts";
import { parseTier, withVault } from "./vault.ts";

/** `gaffer track list`: every Conductor track, its progress and its run. Reads only. */
export async function trackList(cwd: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const views = await trackOverviews(project.root, project.config);
    if (options.json) printJson(views.map(summary));
    else if (views.length === 0) print(`no tracks under ${project.config.tracks.conductor}/tracks/`);
    else
      print(
        formatTable(
          ["TRACK", "TASKS", "RUN", "BRANCH", "DESCRIPTION"],
          views.map((view) => [
            printable(view.track.id),
            `${view.done}/${view.total}`,
            runWord(view),
            view.tip ? printable(view.branch) : "-",
            printable(view.track.description),
          ]),
        ),
      );
    return 0;
  } finally {
    await project.close();
  }
}

/** `gaffer track show <track>`: its phases and tasks with their markers, and its run's state. Reads only. */
export async function trackShow(cwd: string, id: string, options: { json?: boolean }): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const view = await findTrack(project.root, project.config, id);
    if (options.json) {
      printJson({ ...summary(view), plan: view.track.plan?.phases, state: view.state });
      return 0;
    }
    const { track, state } = view;
    print(color.bold(`${printable(track.id)} — ${printable(track.description)}`));
    print(
      `status: ${printable(track.metadata.status ?? "-")}   tasks: ${view.done}/${view.total} done   branch: ${view.tip ? `${printable(view.branch)} (${view.tip.slice(0, 7)})` : "not made yet"}`,
    );
    if (state) {
      print(
        `run: ${runWord(view)}   red failures ${state.consecutive_red_failures}   green failures ${state.consecutive_green_failures}   state: ${printable(view.stateFile ?? "")}`,
      );
      if (state.current)
        print(
          `under way: task ${state.current.task} ${state.current.phase}${state.current.run === null ? "" : ` (gaffer show ${state.current.run})`}`,
        );
      if (state.stopped)
        print(
          `stopped: ${state.stopped.signal}: ${printable(state.stopped.detail)}   report: ${printable(state.stopped.report)}`,
        );
    }
    for (const phase of track.plan?.phases ?? []) {
      print();
      print(
        `Phase ${phase.number}: ${printable(phase.name)}${phase.checkpoint ? color.dim(` [checkpoint: ${phase.checkpoint}]`) : ""}`,
      );
      for (const task of phase.tasks) {
        const mark = task.status === "done" ? "x" : task.status === "in-progress" ? "~" : " ";
        const commit = task.commit ? color.dim(` [${task.commit}]`) : "";
        const manual = task.verifies !== undefined ? color.dim("  (manual verification)") : "";
        print(`  [${mark}] ${task.key} ${printable(task.name)}${commit}${manual}`);
      }
    }
    return 0;
  } finally {
    await project.close();
  }
}

/** `gaffer track run <track>`: exit 0 completed, 2 gave up (report and .STOPPED), 130 cancelled, 75 interrupted. */
export async function trackRun(
  cwd: string,
  id: string,
  options: { resume?: boolean; notify?: boolean; json?: boolean; plain?: boolean },
): Promise<number> {
  const project = await openProject(cwd);
  const progress = new RunProgress({
    live: process.stderr.isTTY === true && !options.plain && !options.json,
  });
  try {
    const result = await cancellable(progress, (signal) =>
      runTrack(project, checkTrackId(id), {
        resume: options.resume === true,
        signal,
        observer: progress,
        scriptedAgentCommand: scriptedAgentCommand(),
        onNote: (line) => progress.note(printable(line)),
      }),
    );
    progress.stop();
    if (options.notify && (result.outcome === "completed" || result.outcome === "gave-up")) {
      if (!(await notifyTrack({ project }, result))) process.stderr.write("\u0007");
    }
    if (options.json) printJson(result);
    else printResult(result);
    return exitCode(result);
  } finally {
    progress.stop();
    await project.close();
  }
}

interface ReviewOptions {
  json?: boolean;
  merge?: boolean;
  as?: string;
  context?: string;
  blastRadius?: string;
}

/**
 * `gaffer track review <track>`: the fetch / diff / `merge --no-ff` sequence to review and merge it;
 * with `--merge`, the merge asked of the vault, which tiers it by what the track's diff touches.
 */
export async function trackReview(cwd: string, id: string, options: ReviewOptions): Promise<number> {
  if (options.merge) return trackMerge(cwd, id, options);
  const project = await openProjectReadOnly(cwd);
  try {
    const view = await findTrack(project.root, project.config, id);
    if (!view.tip)
      throw new GafferError(
        "run-state",
        `track ${id} has no branch yet`,
        `run it with \`gaffer track run ${id}\``,
      );
    const into = await detectDefaultBranch(project.root, project.config.project.defaultBranch);
    const review = await reviewSteps(project.root, { ...view, tip: view.tip }, into);
    if (options.json) {
      printJson({ ...summary(view), into, ...review });
      return 0;
    }
    print(color.bold(`Review track ${printable(id)}: ${printable(view.branch)} into ${printable(into)}`));
    print(printable(review.commits, "text") || "(no commits)");
    print();
    for (const step of review.steps) print(`  ${printable(step)}`);
    return 0;
  } finally {
    await project.close();
  }
}

/** A completed track's branch merged into the default branch with `--no-ff`, through the vault. */
async function trackMerge(cwd: string, id: string, options: ReviewOptions): Promise<number> {
  const blastRadius = parseTier(options.blastRadius);
  return withVault(cwd, options, async (ctx) => {
    const view = await findTrack(ctx.root, ctx.config, id);
    if (!view.tip || view.state?.status !== "completed") {
      throw new GafferError(
        "run-state",
        `track ${id} has not completed (${view.state?.status ?? "never run"})`,
        "only a track that passed its completion gate is merged; `gaffer track review` prints the commands to do it by hand",
      );
    }
    const identity = await currentIdentity(ctx.root, options.as);
    const request = await branchMergeRequest(
      ctx,
      { branch: view.branch, base: view.state.base_commit, head: view.tip },
      {
        requester: { role: "operator", identity },
        context: options.context ?? `merge track ${id} (${view.track.description}) from ${view.branch}`,
        blastRadius,
      },
    );
    return submit(ctx, request);
  });
}

/** `gaffer track stopped`: the banner for an interactive session when a track gave up; nothing otherwise. */
export async function trackStopped(
  cwd: string,
  options: { json?: boolean; clear?: boolean },
): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const stopped = readStopped(project.root, project.config.tracks.failuresDir);
    if (options.json) printJson({ stopped: stopped ?? null });
    else if (stopped) {
      print(
        color.yellow(
          `*** Tier 2 stopped: track ${printable(stopped.track)} gave up (${printable(stopped.signal)}) at ${printable(stopped.stopped)}.`,
        ),
      );
      print(`    report: ${printable(stopped.report)}`);
      print(
        `    review: gaffer track review ${printable(stopped.track)}   resume: gaffer track run ${printable(stopped.track)} --resume`,
      );
    }
    if (stopped && options.clear) rmSync(stopped.file, { force: true });
    return 0;
  } finally {
    await project.close();
  }
}

async function findTrack(
  root: string,
  config: Parameters<typeof trackOverview>[1],
  id: string,
): Promise<TrackOverview> {
  const view = await trackOverview(root, config, checkTrackId(id));
  if (view) return view;
  throw new GafferError(
    "invalid-input",
    `no track ${id} under ${config.tracks.conductor}/tracks/ or archive/`,
    "list them with `gaffer track list`",
  );
}

function summary(view: TrackOverview) {
  return {
    id: view.track.id,
    description: view.track.description,
    dir: view.track.dir,
    archived: view.track.archived,
    status: view.track.metadata.status ?? null,
    done: view.done,
    total: view.total,
    branch: view.branch,
    tip: view.tip ?? null,
    run: view.state?.status ?? null,
  };
}

function runWord(view: TrackOverview): string {
  if (!view.state) return view.track.archived ? "archived" : "-";
  const status = view.state.status;
  return status === "stopped" ? color.red(status) : status === "completed" ? color.green(status) : status;
}

function printResult(result: TrackResult): void {
  const track = printable(result.track);
  if (result.outcome === "completed") {
    print(
      color.green(
        `track ${track} completed on ${printable(result.branch)}: ${result.state.completed.length} tasks`,
      ),
    );
    print(`  report: ${printable(result.report ?? "")} (committed on the branch)`);
    print(`  review: gaffer track review ${track}`);
    return;
  }
  if (result.outcome === "gave-up") {
    print(color.red(`track ${track} gave up: ${result.signal ?? ""}: ${printable(result.detail ?? "")}`));
    print(`  report: ${printable(result.report ?? "")}`);
  } else print(color.yellow(`track ${track} ${result.outcome}: ${printable(result.detail ?? "")}`));
  print(`  resume: gaffer track run ${track} --resume`);
}

function exitCode(result: TrackResult): number {
  switch (result.outcome) {
    case "completed":
      return EXIT.proposal;
    case "gave-up":
      return EXIT.gaveUp;
    case "cancelled":
      return EXIT.interrupted;
    case "interrupted":
      return EXIT.tempFail;
    default:
      return result.outcome satisfies never;
  }
}
