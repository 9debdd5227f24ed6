import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FactoryConfig } from "../config/index.ts";
import { type BackendPause, readBackendPauses } from "./backend-pause.ts";
import { giveUpRun, type Project } from "../engine/index.ts";
import type { Db } from "../store/index.ts";
import { openVault, tick as settleVault } from "../vault/index.ts";

/** What the supervisor needs of its project, and nothing more. */
export interface SupervisorContext {
  /** The project's root: where role processes and tmux views start. */
  root: string;
  /** The project's `.gaffer/`: the factory's pid files, logs and switches live under it. */
  stateDir: string;
  db: Db;
  /** The store's file: every commit to it, from any process, wakes the supervisor. */
  database: string;
  factory: FactoryConfig;
  now(): number;
  /** Ends a run that stopped as given up, with a failure report. */
  giveUpRun(runId: number, reason: string): Promise<void>;
  /** Executes or expires the vault's medium actions whose review window ended. */
  settleVault(): Promise<void>;
  /** The model hosts at their plan limit now, with the agents they hold. */
  backendPauses(now: number): Promise<BackendPause[]>;
}

export function supervisorContext(project: Project, factory: FactoryConfig): SupervisorContext {
  return {
    root: project.root,
    stateDir: project.paths.stateDir,
    db: project.store.db,
    database: project.paths.database,
    factory,
    now: Date.now,
    async giveUpRun(runId, reason) {
      await giveUpRun(project, runId, reason);
    },
    async settleVault() {
      if (existsSync(join(project.paths.stateDir, "vault"))) await settleVault(openVault(project));
    },
    backendPauses: (now) => readBackendPauses(project.store.db, project.config, now),
  };
}
