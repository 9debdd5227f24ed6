export { discardRun } from "./discard.ts";
export { eventLine } from "./event-line.ts";
export { giveUpRun } from "./give-up.ts";
export { isOwnerAlive, ownerToken } from "./owner.ts";
export { type ProjectPaths, projectPaths } from "./paths.ts";
export { ensureStateDir, openProject, openProjectReadOnly, type Project } from "./project.ts";
export { type RunNotice, type RunObserver, RunRecorder } from "./recorder.ts";
export { recoverInterruptedRuns } from "./recover.ts";
export {
  type NudgeSource,
  type RunOptions,
  type RunRole,
  type RunOutcome,
  type RunResult,
  resumeRun,
  startRun,
} from "./run.ts";
export { type GiveUpSignal, type NextStep, nextStep } from "./steps.ts";
