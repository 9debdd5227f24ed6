import { setTimeout as sleep } from "node:timers/promises";
import type { FactoryConfig, Role } from "../config/index.ts";
import {
  eventLine,
  type NudgeSource,
  openProject,
  type Project,
  resumeRun,
  reviewProposal,
  type RunObserver,
  type RunOptions,
  startRun,
} from "../engine/index.ts";
import { claimItem, getItem, listRuns, RESUMABLE_STATES, renewClaim } from "../store/index.ts";
import { GafferError } from "../errors.ts";
import { keepLease } from "./lease.ts";
import { advancePhase, readPhaseState } from "./phase.ts";
import { projectForRole, runRole } from "./role-run.ts";
import { buildable, readBacklog } from "./scheduler.ts";
import { WORKER_EXIT } from "./worker-exit.ts";
import { gafferCommand, lowerPriority } from "../util/index.ts";

export interface WorkerTask {
  role: string;
  /** The claim this worker holds; it renews it until the work ends, then releases it. */
  holder: string;
  itemId: number;
  /** For a review: the proposed run to review. */
  runId?: number;
}

/** An item labelled `phase:<id>` is the builder's claim that the phase's plan is done. */
export const PHASE_LABEL_PREFIX = "phase:";

/** Every event of the role's work, as a line of its log (`.gaffer/factory/logs/<session>.log`). */
const LOG_LINES: RunObserver = {
  onNotice: (notice) => process.stdout.write(`run ${notice.runId} ${eventLine(notice)}\n`),
};

/** How often a persistent role looks for its next message. */
const PERSISTENT_POLL_MS = 1000;

/**
 * A persistent role: one long-lived process that works the items sent to it (`gaffer tell`), one
 * after another, claiming each itself under `holderPrefix`, until SIGTERM.
 */
export async function runPersistentWorker(
  cwd: string,
  roleName: string,
  holderPrefix: string,
): Promise<number> {
  const process = await roleProcess(cwd, roleName);
  const db = process.project.store.db;
  let sequence = 0;
  try {
    while (!process.signal.aborted) {
      const next = (await readBacklog(db)).unclaimed.find((entry) => buildable(entry, process.role));
      if (!next) {
        await sleep(PERSISTENT_POLL_MS, undefined, { signal: process.signal }).catch(() => {});
        continue;
      }
      const holder = `${holderPrefix}/${++sequence}`;
      const leaseMs = process.project.config.factory.settings.leaseMs;
      const claimed = await claimItem(db, {
        itemId: next.item.id,
        role: roleName,
        duty: "build",
        holder,
        leaseMs,
      });
      if (claimed) await process.build({ role: roleName, holder, itemId: next.item.id });
    }
    return WORKER_EXIT.cancelled;
  } finally {
    await process.close();
  }
}

interface RoleProcess {
  project: Project;
  role: Role;
  /** Aborted by SIGTERM or SIGINT. */
  signal: AbortSignal;
  build(task: WorkerTask): Promise<number>;
  close(): Promise<void>;
}

/** Opens the project as the role sees it (its model for the current phase) and takes over the signals. */
async function roleProcess(cwd: string, roleName: string): Promise<RoleProcess> {
  const opened = await openProject(cwd);
  const { project, factory, role } = projectForRole(opened, opened.config, roleName);
  // A role's process yields the CPU as the workers do.
  lowerPriority(factory.settings.workerNice, factory.settings.agentNice);
  const controller = new AbortController();
  const cancel = () => controller.abort();
  // A nudge that arrives outside an agent turn (during the gate, say) is moot, not fatal.
  const ignoreNudge = () => {};
  process.on("SIGTERM", cancel);
  process.on("SIGINT", cancel);
  process.on("SIGUSR2", ignoreNudge);
  return {
    project,
    role,
    signal: controller.signal,
    build: (task) =>
      workClaimed(
        {
          project,
          factory,
          role,
          cancelled: controller.signal,
          nudges: nudgesFromSignal(),
          observer: LOG_LINES,
        },
        "build",
        task,
      ),
    async close() {
      process.off("SIGTERM", cancel);
      process.off("SIGINT", cancel);
      process.off("SIGUSR2", ignoreNudge);
      await project.close();
    },
  };
}

/** Who works a claimed item, and how it hears of a cancel or a nudge and tells of its events. */
export interface WorkContext {
  /** The project as the role sees it; its owner token is the lease on the run it drives. */
  project: Project;
  factory: FactoryConfig;
  role: Role;
  cancelled: AbortSignal;
  nudges: NudgeSource;
  observer: RunObserver;
}

/** Works one claimed item, renewing the claim meanwhile; the claim is released at the end. */
export async function workClaimed(
  { project, factory, role, cancelled, nudges, observer }: WorkContext,
  duty: "build" | "review",
  task: WorkerTask,
): Promise<number> {
  const db = project.store.db;
  const settings = project.config.factory.settings;
  const lease = keepLease(db, { ...task, leaseMs: settings.leaseMs, heartbeatMs: settings.heartbeatMs });
  try {
    if (!(await renewClaim(db, task.itemId, task.holder, settings.leaseMs))) return WORKER_EXIT.claimLost;
    const common = {
      agent: role.agent ?? project.config.agent.default,
      role: runRole(factory, role, project.paths.stateDir),
      signal: AbortSignal.any([cancelled, lease.lost]),
      scriptedAgentCommand: gafferCommand("agent", "scripted"),
      observer,
    };
    if (duty === "review") {
      if (task.runId === undefined) throw new GafferError("usage", "a review names its run (--run)");
      const review = await reviewProposal(project, task.runId, {
        ...common,
        maxRounds: settings.maxReviewRounds,
      });
      if (review.outcome === "approved") await acceptPhaseClaim(project, factory, task.itemId);
      return WORKER_EXIT.done;
    }
    const latest = (await listRuns(db, { itemId: task.itemId })).at(-1);
    // The supervisor dispatches an item whose latest run failed only to retry that run.
    const resume =
      latest !== undefined && (RESUMABLE_STATES.includes(latest.state) || latest.state === "failed");
    const options: RunOptions = { ...common, nudges };
    const result = resume
      ? await resumeRun(project, task.itemId, options)
      : await startRun(project, task.itemId, options);
    if (lease.lost.aborted) return WORKER_EXIT.claimLost;
    return result.outcome === "cancelled" ? WORKER_EXIT.cancelled : WORKER_EXIT.done;
  } finally {
    await lease.release("work ended");
  }
}

/**
 * The builder's claim on a phase is an item labelled `phase:<id>`: the reviewer approving its
 * proposal while that phase is current moves the factory on to the next phase.
 */
async function acceptPhaseClaim(project: Project, factory: FactoryConfig, itemId: number): Promise<void> {
  const current = readPhaseState(factory, project.paths.stateDir);
  if (!current || current.done) return;
  const item = await getItem(project.store.db, itemId);
  if (!item.labels.includes(`${PHASE_LABEL_PREFIX}${current.phase.id}`)) return;
  const context = { factory, stateDir: project.paths.stateDir, db: project.store.db };
  await advancePhase(context, { expected: current.phase.id });
}

/** SIGUSR2 from the supervisor is a nudge. */
function nudgesFromSignal(): NudgeSource {
  return {
    subscribe(listener) {
      process.on("SIGUSR2", listener);
      return () => process.off("SIGUSR2", listener);
    },
  };
}
