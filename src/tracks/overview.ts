import type { GafferConfig } from "../config/index.ts";
import { hardenedGit, projectGitResult } from "../workspace/index.ts";
import { commitReader, listTracks, readTrack, type Track, workingTreeReader } from "./layout.ts";
import { workTasks } from "./plan.ts";
import { loadState, type TrackState } from "./state.ts";

/** A track as `gaffer track list` and `show` present it: its files, its branch, its run's state. */
export interface TrackOverview {
  track: Track;
  /** Work tasks done and in all (verification meta-tasks aside). */
  done: number;
  total: number;
  branch: string;
  /** The branch's tip, when it exists. */
  tip: string | undefined;
  state: TrackState | undefined;
  stateFile: string | undefined;
}

/** Every track of the working tree with its run's state. Reads only. */
export async function trackOverviews(root: string, config: GafferConfig): Promise<TrackOverview[]> {
  const tracks = await listTracks(root, config.tracks.conductor);
  return Promise.all(tracks.map((track) => overview(root, config, track)));
}

/** One track of the working tree, or undefined. Reads only. */
export async function trackOverview(
  root: string,
  config: GafferConfig,
  id: string,
): Promise<TrackOverview | undefined> {
  const track = await readTrack(workingTreeReader(root), config.tracks.conductor, id);
  return track && overview(root, config, track);
}

/** The track as its branch has it when there is one (its markers show the run's progress), else as the working tree has it. */
async function overview(root: string, config: GafferConfig, working: Track): Promise<TrackOverview> {
  const loaded = loadState(root, config.tracks.stateDir, working.id);
  const branch = loaded?.state.branch || `${config.tracks.branchPrefix}${working.id}`;
  const found = await projectGitResult(root, [
    "rev-parse",
    "--verify",
    "--quiet",
    `refs/heads/${branch}^{commit}`,
  ]);
  const tip = found.exitCode === 0 ? found.stdout.toString("utf8").trim() : undefined;
  const onBranch = tip && (await readTrack(commitReader(root, tip), config.tracks.conductor, working.id));
  const track = onBranch ? { ...onBranch, description: working.description } : working;
  const tasks = track.plan ? workTasks(track.plan).map((entry) => entry.task) : [];
  return {
    track,
    done: tasks.filter((task) => task.status === "done").length,
    total: tasks.length,
    branch,
    tip,
    state: loaded?.state,
    stateFile: loaded?.file,
  };
}

/**
 * Tier 1's review of a track, as commands to run: fetch the branch (from the clone it ran in, when
 * that is another one), read its log and diff against the base, merge it with `--no-ff`.
 */
export async function reviewSteps(
  root: string,
  view: TrackOverview & { tip: string },
  into: string,
): Promise<{ commits: string; steps: string[] }> {
  const base = view.state?.base_commit || (await hardenedGit(root, ["merge-base", into, view.tip]));
  const commits = await hardenedGit(root, ["log", "--oneline", "--no-decorate", `${base}..${view.tip}`]);
  return {
    commits,
    steps: [
      `git fetch ${root} ${view.branch}   # from another clone; here the branch is in this repository already`,
      `git log --oneline ${into}..${view.branch}`,
      `git diff ${into}...${view.branch}`,
      `git notes show <commit>   # each task's evidence: the runs that proved it red, then green`,
      `git switch ${into} && git merge --no-ff ${view.branch}`,
    ],
  };
}
