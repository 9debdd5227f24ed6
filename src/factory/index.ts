/**
 * The factory: roles at work on a project's backlog, under one supervisor per project.
 *
 *   const factory = factoryOf(project);                    // gaffer.toml roles, or agents.toml
 *   await checkReady(project.root, project.config, factory);
 *   await startDaemon(project);                            // `gaffer up`: the supervisor, in the background
 *   await setPaused(project, true);                        // the kill switch
 *   await stopDaemon(project);                             // `gaffer down`
 *
 * The supervisor (supervisor.ts) performs what the planner (planner.ts) decides: dispatch within
 * the caps, leases, heal, stalls, schedules, retries of runs the machine failed. Builds and
 * reviews run as tasks in worker processes (`runWorkerHost`, fed by `WorkerPool`), many per
 * process; persistent roles run `runPersistentWorker`; phases, kickoffs, status and fleets are read and written here too.
 */
export { createProject } from "./create-project.ts";
export { factoryOf, setPaused, startDaemon, stopDaemon, type StopResult, supervise } from "./daemon.ts";
export { type ForgeIntake, startForgeIntake } from "./forge-intake.ts";
export { fleetStatus, validateFleet } from "./fleet.ts";
export { runInEachProject } from "./fleet-run.ts";
export { kickoffFile, readRolePrompt, renderKickoff } from "./kickoff.ts";
export { claimForRun, type HeldLease, withClaim } from "./lease.ts";
export { type DaemonStatus, daemonStatus } from "./live-status.ts";
export {
  addPhases,
  advancePhase,
  findPhase,
  type PhaseChange,
  type PhaseState,
  progressOf,
  readPhaseState,
  setPhase,
} from "./phase.ts";
export { pidDir, readPidFiles } from "./pid-files.ts";
export { checkReady } from "./readiness.ts";
export { findRole } from "./role-run.ts";
export { readBacklog, ROLE_LABEL_PREFIX } from "./scheduler.ts";
export { readActivity } from "./stall.ts";
export { factoryStatus, formatFactoryStatus, formatPhaseLine, phaseStatus } from "./status-table.ts";
export { tellRole } from "./tell.ts";
export { runPersistentWorker } from "./worker.ts";
export { runWorkerHost } from "./worker-host.ts";
