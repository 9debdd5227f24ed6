import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type GafferConfig, readConfig } from "../config/index.ts";
import { removeOrphanedRuntimeDirs } from "../sandbox/index.ts";
import { openStore, openStoreReadOnly, type Store } from "../store/index.ts";
import { resolveProjectRoot } from "../workspace/index.ts";
import { ownerToken } from "./owner.ts";
import { type ProjectPaths, projectPaths } from "./paths.ts";
import { recoverInterruptedRuns } from "./recover.ts";

/** An opened project: its root, configuration, state paths and store. */
export interface Project {
  root: string;
  paths: ProjectPaths;
  config: GafferConfig;
  store: Store;
  /** This process's owner token, used as the lease on the runs it drives. */
  owner: string;
  close(): Promise<void>;
}

/**
 * Opens the project containing `cwd` for writing: creates `.gaffer/` (hidden from git), opens and
 * migrates the store, marks runs left behind by dead gaffer processes as interrupted, and removes
 * the sandbox runtime directories such processes left in the temp directory.
 */
export async function openProject(cwd: string): Promise<Project> {
  const root = await resolveProjectRoot(cwd);
  const config = await readConfig(root, { remember: true });
  const paths = projectPaths(root);
  ensureStateDir(root, paths.stateDir);
  const store = await openStore(paths.database);
  await recoverInterruptedRuns(store.db);
  removeOrphanedRuntimeDirs();
  return { root, paths, config, store, owner: ownerToken(), close: () => store.close() };
}

/** Opens the project for reading only: no directory, file or row is created. */
export async function openProjectReadOnly(
  cwd: string,
): Promise<Omit<Project, "store"> & { store: Store | undefined }> {
  const root = await resolveProjectRoot(cwd);
  const config = await readConfig(root, { remember: false });
  const paths = projectPaths(root);
  const store = openStoreReadOnly(paths.database);
  return { root, paths, config, store, owner: ownerToken(), close: async () => store?.close() };
}

export function ensureStateDir(root: string, stateDir: string): void {
  mkdirSync(stateDir, { recursive: true });
  const exclude = join(root, ".git", "info", "exclude");
  const current = existsSync(exclude) ? readFileSync(exclude, "utf8") : "";
  if (current.split(/\r?\n/).some((line) => line.trim() === "/.gaffer/" || line.trim() === ".gaffer/"))
    return;
  mkdirSync(join(root, ".git", "info"), { recursive: true });
  appendFileSync(
    exclude,
    `${current === "" || current.endsWith("\n") ? "" : "\n"}# gaffer's state\n/.gaffer/\n`,
  );
}
