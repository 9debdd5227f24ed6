import { openProject, type Project, resumeRun, startRun } from "../engine/index.ts";
import { reviewProposal } from "../engine/review/review.ts";
import type { NudgeSource } from "../engine/run.ts";
import { getRun, listRuns, RESUMABLE_STATES, releaseClaim, renewClaim } from "../store/index.ts";
import { gafferCommand } from "../util/self.ts";
import { loadFactory } from "../config/index.ts";
import { readPhaseState } from "./phase.ts";
import { configForRole, findRole, runRole } from "./role-run.ts";

export interface WorkerTask {
  role: string;
  /** The claim this worker holds; it renews it until the work ends, then releases it. */
  holder: string;
  itemId: number;
  /** For a review: the proposed run to review. */
  runId?: number;
}

/** What a worker process reports by its exit code. */
export const WORKER_EXIT = { done: 0, failed: 1, cancelled: 130, claimLost: 75 } as const;

/**
 * The body of one role process: it holds the supervisor's claim on an item (renewing it with
 * heartbeats), builds or reviews, and releases the claim. SIGTERM cancels the work and keeps the
 * workspace; SIGUSR2 nudges a stalled agent.
 */
export async function runWorker(cwd: string, duty: "build" | "review", task: WorkerTask): Promise<number> {
  const opened = await openProject(cwd);
  const factory = loadFactory(opened.root, opened.config);
  const role = findRole(factory, task.role);
  const phase = readPhaseState(factory, opened.paths.stateDir)?.phase;
  const project: Project = { ...opened, config: configForRole(opened.config, factory, role, phase) };
  const db = project.store.db;
  const settings = project.config.factory.settings;
  const controller = new AbortController();
  let claimLost = false;
  const heartbeat = setInterval(() => {
    renewClaim(db, task.itemId, task.holder, settings.leaseMs)
      .then((held) => {
        if (held || controller.signal.aborted) return;
        claimLost = true;
        controller.abort();
      })
      .catch(() => {});
  }, settings.heartbeatMs);
  const cancel = () => controller.abort();
  // A nudge that arrives outside an agent turn (during the gate, say) is moot, not fatal.
  const ignoreNudge = () => {};
  process.on("SIGTERM", cancel);
  process.on("SIGINT", cancel);
  process.on("SIGUSR2", ignoreNudge);
  try {
    if (!(await renewClaim(db, task.itemId, task.holder, settings.leaseMs))) return WORKER_EXIT.claimLost;
    const options = {
      agent: role.agent ?? project.config.agent.default,
      role: runRole(factory, role, project.paths.stateDir),
      signal: controller.signal,
      scriptedAgentCommand: gafferCommand("agent", "scripted"),
    };
    if (duty === "review") {
      await reviewProposal(project, task.runId ?? (await latestRunId(project, task.itemId)), {
        ...options,
        maxRounds: settings.maxReviewRounds,
      });
      return WORKER_EXIT.done;
    }
    const latest = (await listRuns(db, { itemId: task.itemId })).at(-1);
    const resume = latest !== undefined && RESUMABLE_STATES.includes(latest.state);
    const result = resume
      ? await resumeRun(project, task.itemId, { ...options, nudges: nudgesFromSignal() })
      : await startRun(project, task.itemId, { ...options, nudges: nudgesFromSignal() });
    if (claimLost) return WORKER_EXIT.claimLost;
    return result.outcome === "cancelled" ? WORKER_EXIT.cancelled : WORKER_EXIT.done;
  } finally {
    clearInterval(heartbeat);
    process.off("SIGTERM", cancel);
    process.off("SIGINT", cancel);
    process.off("SIGUSR2", ignoreNudge);
    if (!claimLost) await releaseClaim(db, task.itemId, task.holder, "work ended").catch(() => {});
    await project.close();
  }
}

async function latestRunId(project: Project, itemId: number): Promise<number> {
  const latest = (await listRuns(project.store.db, { itemId })).at(-1);
  return (await getRun(project.store.db, latest?.id ?? 0)).id;
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
