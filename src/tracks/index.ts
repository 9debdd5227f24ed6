/**
 * Conductor tracks: the layout read and written byte for byte (`conductor/tracks.md`,
 * `tracks/<id>/{index,spec,plan}.md`, `metadata.json`, manual_slop's `state.toml`), and Tier 2's
 * autonomous run with gaffer keeping the count:
 *
 *   const result = await runTrack(project, "auth_20260616", { resume: false, signal, scriptedAgentCommand });
 *   // each task: a red run (its tests must fail), a green run (the gate must pass), one commit;
 *   // "completed" with TRACK_COMPLETION_<track>.md, or "gave-up" with the failure report and .STOPPED
 */
export type { TrackResult, TrackRunOptions } from "./context.ts";
export { readFailcount } from "./failcount.ts";
export { notifyTrack } from "./finish.ts";
export { checkTrackId, type Track } from "./layout.ts";
export { parseMetadata, setTopLevelString, type TrackMetadata } from "./metadata.ts";
export { reviewSteps, type TrackOverview, trackOverview, trackOverviews } from "./overview.ts";
export {
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
export { readStopped } from "./reports.ts";
export { runTrack } from "./runner.ts";
export { loadState } from "./state.ts";
export { setTrackStatus } from "./state-toml.ts";
