import type { GafferConfig, VaultConfig } from "../config/index.ts";
import { openTracker, type Tracker } from "../intake/index.ts";
import type { Db } from "../store/index.ts";
import { loadPolicy, type Policy } from "./policy.ts";
import { Secrets } from "./secrets.ts";
import { type VaultPaths, vaultPaths } from "./store.ts";

/** What reading the vault needs: its folders, its configuration and its policy. Reading writes nothing. */
export interface VaultView {
  root: string;
  config: GafferConfig;
  vault: VaultConfig;
  policy: Policy;
  paths: VaultPaths;
}

/**
 * What changing the vault needs besides: the secrets, the store (for merges), the clock, and the
 * forge (`[tracker]`) that publishing and merging a published run go through.
 */
export interface VaultContext extends VaultView {
  secrets: Secrets;
  db: Db;
  now: () => number;
  tracker?: Tracker | undefined;
}

export function readVault(project: { root: string; config: GafferConfig }): VaultView {
  const { vault } = project.config;
  return {
    root: project.root,
    config: project.config,
    vault,
    policy: loadPolicy(project.root, project.config, vault.policy),
    paths: vaultPaths(project.root),
  };
}

export function openVault(
  project: { root: string; config: GafferConfig; store: { db: Db } },
  now: () => number = Date.now,
): VaultContext {
  const view = readVault(project);
  return {
    ...view,
    secrets: Secrets.load(project.root, view.vault.secretsFile),
    db: project.store.db,
    now,
    tracker: project.config.tracker && openTracker(project.config.tracker),
  };
}
