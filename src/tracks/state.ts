import { mkdirSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";
import { GafferError } from "../errors.ts";
import { readAgentFile, writeFreshFile } from "../util/index.ts";

/** A red phase (tests written, proven to fail), a green one (implemented, gate passing), the completion gate. */
export type TrackPhase = "red" | "green" | "complete";

/** One missed goal: a red phase whose tests passed, a green one whose gate failed, a turn that changed nothing. */
export interface TrackFailure {
  at: string;
  task: string;
  phase: TrackPhase;
  run: number;
  attempt: number;
  summary: string;
}

/** Why a track stopped before its end. */
export interface TrackStop {
  at: string;
  /** red-limit, green-limit, no-progress or run-failed. */
  signal: string;
  detail: string;
  report: string;
}

/**
 * What gaffer keeps about a track run between processes, at `<state_dir>/<track>/state.json`:
 * where it runs, the failure counters gaffer (never the agent) keeps, progress for the
 * no-progress watchdog, what is done and what was under way, for `--resume`.
 */
export interface TrackState {
  track: string;
  branch: string;
  base_branch: string;
  base_commit: string;
  status: "running" | "stopped" | "cancelled" | "completed";
  started_at: string;
  updated_at: string;
  consecutive_red_failures: number;
  consecutive_green_failures: number;
  last_commit_at: string | null;
  last_green_at: string | null;
  last_completed_task: string | null;
  /** Tasks done, with the runs that proved them red and then green. */
  completed: { task: string; name: string; commit: string; red_run?: number; green_run?: number }[];
  /** The phase under way and its gaffer run, once the run exists; in a green phase, the run that proved it red. */
  current: { task: string; name: string; phase: TrackPhase; run: number | null; red_run?: number } | null;
  failures: TrackFailure[];
  stopped: TrackStop | null;
}

const MAX_FAILURES_KEPT = 20;
const MAX_STATE_BYTES = 1024 * 1024;

/** Where a track's state lives, and the two places Tier 2 kept it before. */
export function statePaths(
  root: string,
  stateDir: string,
  track: string,
): { current: string; legacy: string[] } {
  const at = (dir: string) => join(isAbsolute(dir) ? dir : join(root, dir), track, "state.json");
  const appData = process.env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local");
  return {
    current: at(stateDir),
    legacy: [at("scripts/tier2/state"), join(appData, "manual_slop", "tier2", track, "state.json")],
  };
}

/**
 * The track's state: from the configured place, else imported from an older one (kept there, and
 * written to the configured place from now on). undefined when there is none anywhere.
 */
export function loadState(
  root: string,
  stateDir: string,
  track: string,
): { state: TrackState; file: string } | undefined {
  const paths = statePaths(root, stateDir, track);
  for (const file of [paths.current, ...paths.legacy]) {
    const read = readAgentFile(file, { maxBytes: MAX_STATE_BYTES });
    if (!read.ok && read.reason === "missing") continue;
    if (!read.ok)
      throw new GafferError("invalid-input", `${file} is not a regular file (${read.reason})`, "remove it");
    return { state: fromJson(read.data.toString("utf8"), file, track), file };
  }
  return undefined;
}

/** Writes the state in one step (a new file renamed over the old), so a crash leaves the old or the new. */
export function saveState(root: string, stateDir: string, state: TrackState): void {
  const file = statePaths(root, stateDir, state.track).current;
  const dir = dirname(file);
  const outside = relative(root, dir).startsWith("..");
  if (outside) mkdirSync(dir, { recursive: true });
  const within = outside ? dir : root;
  const next = { ...state, updated_at: new Date().toISOString() };
  writeFreshFile(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { within });
  renameSync(`${file}.tmp`, file);
  Object.assign(state, next);
}

export function freshState(
  track: string,
  branch: string,
  base: { branch: string; commit: string },
): TrackState {
  const now = new Date().toISOString();
  return {
    track,
    branch,
    base_branch: base.branch,
    base_commit: base.commit,
    status: "running",
    started_at: now,
    updated_at: now,
    consecutive_red_failures: 0,
    consecutive_green_failures: 0,
    last_commit_at: null,
    last_green_at: null,
    last_completed_task: null,
    completed: [],
    current: null,
    failures: [],
    stopped: null,
  };
}

export function recordFailure(state: TrackState, failure: TrackFailure): void {
  state.failures = [...state.failures, failure].slice(-MAX_FAILURES_KEPT);
}

/** Reads a state file, Tier 2's own included: whatever it lacks starts empty. */
function fromJson(text: string, file: string, track: string): TrackState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GafferError(
      "invalid-input",
      `${file} is not JSON`,
      "fix it, or remove it to start the track over",
    );
  }
  if (typeof value !== "object" || value === null)
    throw new GafferError(
      "invalid-input",
      `${file} is not a JSON object`,
      "remove it to start the track over",
    );
  const raw = value as Partial<TrackState>;
  const empty = freshState(track, raw.branch ?? "", {
    branch: raw.base_branch ?? "",
    commit: raw.base_commit ?? "",
  });
  return {
    ...empty,
    ...raw,
    track,
    completed: Array.isArray(raw.completed) ? raw.completed : [],
    failures: Array.isArray(raw.failures) ? raw.failures : [],
    current: raw.current ?? null,
    stopped: raw.stopped ?? null,
  };
}
