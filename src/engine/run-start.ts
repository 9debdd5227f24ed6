import {
  dropWarmClone,
  takeWarmClone,
  type TakenWarmClone,
  type WarmPoolOptions,
} from "../workspace/index.ts";
import { defaultBase } from "./base.ts";
import type { Project } from "./project.ts";

/**
 * What a new run grows from, and with `[workspace] warm` the clone it will work in, both found
 * while the run is being created: the base's lookup, the clone's checks and its branch rename run
 * alongside the run's own checks and its creation instead of after them. The run that is made
 * takes the clone (warmWorkspace); one that is not made must `release` it.
 */
export class RunStart {
  readonly base: Promise<{ branch: string; commit: string }>;
  #clone: Promise<TakenWarmClone | undefined> | undefined;
  readonly #discarded: Array<{ clone: string; reason: string }> = [];

  constructor(project: Project, run: { branch: string; base?: { branch: string; commit: string } }) {
    this.base = run.base ? Promise.resolve(run.base) : defaultBase(project);
    // Awaited by the run's creation; a refusal before that must not surface as unhandled.
    this.base.catch(() => undefined);
    if (project.config.workspace.warm === 0) return;
    this.#clone = takeWarmClone({
      ...warmPool(
        project,
        this.base.then(({ commit }) => commit),
      ),
      branch: run.branch,
      onDiscard: (clone, reason) => this.#discarded.push({ clone, reason }),
    });
  }

  /** The clone taken for the run, handed over once, and the clones that failed their check. */
  async take(): Promise<{
    clone: TakenWarmClone | undefined;
    discarded: Array<{ clone: string; reason: string }>;
  }> {
    const clone = await this.#clone?.catch(() => undefined);
    this.#clone = undefined;
    return { clone, discarded: this.#discarded.splice(0) };
  }

  /** Removes the clone if no run took it. */
  async release(): Promise<void> {
    const { clone } = await this.take();
    if (clone) await dropWarmClone(clone);
  }
}

/** The project's warm pool, for clones at `baseCommit`. */
export function warmPool<Base extends string | Promise<string>>(
  project: Project,
  baseCommit: Base,
): Omit<WarmPoolOptions, "baseCommit"> & { baseCommit: Base } {
  return {
    project: project.root,
    pool: project.paths.warm,
    baseCommit,
    identity: project.config.workspace.identity,
  };
}
