import { claimWarmClone, type CreatedWorkspace, type FilledPool, fillWarmPool } from "../workspace/index.ts";
import { EVENTS, type Run } from "../store/index.ts";
import { defaultBase } from "./base.ts";
import type { Project } from "./project.ts";
import type { StepContext } from "./step-context.ts";

/**
 * Keeps the project's warm pool at `[workspace] warm` clones at the default branch's head: clones
 * made for an older head are discarded and made again, a dead process's leftovers removed. Returns
 * at once when another process is filling it. With `warm = 0` it empties the pool.
 */
export async function refillWarmPool(project: Project): Promise<FilledPool & { baseCommit: string }> {
  const { branch, commit } = await defaultBase(project);
  const filled = await fillWarmPool({
    project: project.root,
    pool: project.paths.warm,
    baseCommit: commit,
    baseBranch: branch,
    identity: project.config.workspace.identity,
    size: project.config.workspace.warm,
  });
  return { ...filled, baseCommit: commit };
}

/** A ready warm clone for the run, moved to its workspace path; undefined when none fits. */
export async function claimForRun(
  context: StepContext,
  run: Run,
  onTamper: CreatedWorkspace["workspace"]["onTamper"],
): Promise<CreatedWorkspace | undefined> {
  const { project } = context;
  if (project.config.workspace.warm === 0) return undefined;
  // Whatever happens to the claim, the pool is made up for once the agent is at work.
  context.warmRefill ??= "due";
  return claimWarmClone({
    project: project.root,
    pool: project.paths.warm,
    baseCommit: run.baseCommit,
    identity: project.config.workspace.identity,
    dir: project.paths.workspace(run.id),
    branch: run.branch,
    onTamper,
    onDiscard: (clone, reason) => context.recorder.enqueue(EVENTS.workspaceWarmDiscarded, { clone, reason }),
  });
}

/**
 * Starts the refill a new workspace made due, in this process while the agent works (its git runs
 * as child processes); the run awaits it before it returns. A failed refill costs only the next
 * run's warm start: `gaffer warm` says why.
 */
export function startDueRefill(context: StepContext): void {
  if (context.warmRefill !== "due") return;
  context.warmRefill = refillWarmPool(context.project).then(
    () => undefined,
    () => undefined,
  );
}
