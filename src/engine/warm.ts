import { existsSync } from "node:fs";
import {
  checkWarmTree,
  claimWarmClone,
  type CreatedWorkspace,
  dropWarmClone,
  type FilledPool,
  fillWarmPool,
  placeWarmClone,
} from "../workspace/index.ts";
import { EVENTS, type Run } from "../store/index.ts";
import { defaultBase } from "./base.ts";
import type { Project } from "./project.ts";
import { warmPool } from "./run-start.ts";
import type { StepContext } from "./step-context.ts";

/**
 * Keeps the project's warm pool at `[workspace] warm` clones at the default branch's head: clones
 * made for an older head are discarded and made again, a dead process's leftovers removed. Returns
 * at once when another process is filling it. With `warm = 0` it empties the pool.
 */
export async function refillWarmPool(project: Project): Promise<FilledPool & { baseCommit: string }> {
  const { branch, commit } = await defaultBase(project);
  const filled = await fillWarmPool({
    ...warmPool(project, commit),
    baseBranch: branch,
    size: project.config.workspace.warm,
  });
  return { ...filled, baseCommit: commit };
}

/** A workspace from the warm pool, and the check of its work tree, which may still be running. */
export interface WarmWorkspace extends CreatedWorkspace {
  /** Rejects when the clone's work tree is not as it was made (see checkWarmTree). */
  treeChecked: Promise<void>;
}

/**
 * The run's workspace from the warm pool: the clone taken as the run was created when it fits
 * (its work tree then checked while the run is confined), else a ready one taken and checked now,
 * moved to the run's workspace path. Undefined when none fits.
 */
export async function warmWorkspace(
  context: StepContext,
  run: Run,
  onTamper: CreatedWorkspace["workspace"]["onTamper"],
): Promise<WarmWorkspace | undefined> {
  const { project, recorder } = context;
  const start = context.start;
  context.start = undefined;
  const taken = start ? await start.take() : { clone: undefined, discarded: [] };
  if (project.config.workspace.warm === 0) return undefined;
  // Whatever happens to the claim, the pool is made up for once the agent is at work.
  context.warmRefill ??= "due";
  const onDiscard = (clone: string, reason: string) =>
    recorder.enqueue(EVENTS.workspaceWarmDiscarded, { clone, reason });
  for (const { clone, reason } of taken.discarded) onDiscard(clone, reason);
  const dir = project.paths.workspace(run.id);
  const { clone } = taken;
  if (clone && clone.baseCommit === run.baseCommit && clone.branch === run.branch && !existsSync(dir)) {
    const workspace = await placeWarmClone(clone, { dir, onTamper, onDiscard });
    if (workspace) {
      const treeChecked = checkWarmTree(workspace);
      // Awaited once the run is confined; a workspace given up before then needs no answer.
      treeChecked.catch(() => undefined);
      return { workspace, baseCommit: run.baseCommit, reused: false, treeChecked };
    }
  } else if (clone) await dropWarmClone(clone);
  const claimed = await claimWarmClone({
    ...warmPool(project, run.baseCommit),
    dir,
    branch: run.branch,
    onTamper,
    onDiscard,
  });
  return claimed && { ...claimed, treeChecked: Promise.resolve() };
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
