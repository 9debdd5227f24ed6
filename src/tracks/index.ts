/**
 * Conductor tracks: the layout read and written byte for byte (`conductor/tracks.md`,
 * `tracks/<id>/{index,spec,plan}.md`, `metadata.json`, manual_slop's `state.toml`).
 */
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
export { setTrackStatus } from "./state-toml.ts";
