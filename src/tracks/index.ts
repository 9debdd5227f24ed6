/**
 * Conductor tracks: the layout read and written byte for byte (`conductor/tracks.md`,
 * `tracks/<id>/{index,spec,plan}.md`, `metadata.json`, manual_slop's `state.toml`), and Tier 2's
 * autonomous run with gaffer keeping the count:
 *
 *   const result = await runTrack(project, "auth_20260616", { resume: false, signal, scriptedAgentCommand });
 *   // each task: a red run (its tests must fail), a green run (the gate must pass), one commit;
 *   // "completed" with TRACK_COMPLETION_<track>.md, or "gave-up" with the failure report and .STOPPED
 */
export type { TrackOutcome, TrackResult, TrackRunOptions } from "./context.ts";
export { DEFAULT_FAILCOUNT, type Failcount, readFailcount } from "./failcount.ts";
export { notifyTrack } from "./finish.ts";
export {
  checkTrackId,
  listTracks,
  MAX_TRACK_FILE_BYTES,
  type ProjectFileReader,
  readTrack,
  type Track,
  trackFiles,
  workingTreeReader,
} from "./layout.ts";
export { parseMetadata, setTopLevelString, type TrackMetadata } from "./metadata.ts";
export { reviewSteps, type TrackOverview, trackOverview, trackOverviews } from "./overview.ts";
export {
  findTask,
  markPhaseCheckpoint,
  markTaskDone,
  parsePlan,
  type Plan,
  type PlanPhase,
  type PlanTask,
  renderPlan,
  type TaskStatus,
  workTasks,
} from "./plan.ts";
export { parseRegistry, type RegistryEntry } from "./registry.ts";
export { readStopped, STOPPED_FILE } from "./reports.ts";
export { runTrack } from "./runner.ts";
export { loadState, type TrackState } from "./state.ts";
export { setTrackStatus } from "./state-toml.ts";
