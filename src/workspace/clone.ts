import { copyFile, lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { GafferError } from "../errors.ts";
import { hardenedGit, workspaceGit } from "./git.ts";
import { pristineAlternatesPath, verifyWorkspace, workspaceAt } from "./integrity.ts";
import type { Identity, TamperEvidence, Workspace } from "./types.ts";

export interface CreateWorkspaceOptions {
  project: string;
  dir: string;
  /** The run branch to create, e.g. from runBranchName(). */
  branch: string;
  /** A local branch of the project; the run starts from its tip unless `baseCommit` is given. */
  baseBranch?: string;
  /** The commit the run starts from, when the run already recorded one. */
  baseCommit?: string;
  identity: Identity;
  /** Where to keep the pristine copy of the clone's config; `<dir>.gitconfig` by default. */
  pristineConfigPath?: string;
  onTamper?: (evidence: TamperEvidence) => void;
}

export interface CreatedWorkspace {
  workspace: Workspace;
  baseCommit: string;
  /** True when `dir` already held this workspace (a resumed run) and nothing was created. */
  reused: boolean;
}

/**
 * Clones the project into `dir` (a `--shared` clone with no remote) and checks out a new run
 * branch at the base. Idempotent: an existing workspace is returned with its recorded base.
 */
export async function createWorkspace(options: CreateWorkspaceOptions): Promise<CreatedWorkspace> {
  const opts = { ...options, project: resolve(options.project), dir: resolve(options.dir) };
  const workspace = workspaceAt(opts.dir, opts);
  // No lock on the project: a clone only reads it (git updates refs and objects atomically), and
  // one run's workspace has one creator, the run's owner. So many runs clone at once.
  const recorded = await recordedBase(opts.project, workspace);
  if (recorded) return { workspace, baseCommit: recorded, reused: true };
  await removeLeftovers(opts.dir);
  // Built under a temporary name with the final pristine copy, so `dir` only ever appears complete.
  const tmp = { ...workspace, dir: `${opts.dir}.tmp-${process.pid}` };
  try {
    const baseCommit = await cloneMetadata(opts, tmp);
    await checkOutRunBranch(opts, tmp, baseCommit);
    await rename(tmp.dir, opts.dir);
    return { workspace, baseCommit, reused: false };
  } catch (error) {
    await rm(tmp.dir, { recursive: true, force: true });
    await rm(workspace.pristineConfigPath, { force: true });
    await rm(workspace.indexPath, { force: true });
    await rm(pristineAlternatesPath(workspace), { force: true });
    throw error;
  }
}

/** The clone's git metadata and gaffer's copies of it, without a checkout; returns the base commit. */
async function cloneMetadata(opts: CreateWorkspaceOptions, tmp: Workspace): Promise<string> {
  if (!opts.baseBranch && !opts.baseCommit) {
    throw new GafferError("usage", "createWorkspace needs a base branch or a base commit");
  }
  const cwd = opts.project;
  const branchArgs = opts.baseBranch ? ["--single-branch", `--branch=${opts.baseBranch}`] : [];
  const settings = {
    "user.name": opts.identity.name,
    "user.email": opts.identity.email,
    "gc.auto": "0",
    "maintenance.auto": "false",
  };
  const cloneArgs = [
    "clone",
    "--quiet",
    "--shared",
    "--no-checkout",
    "--no-tags",
    ...branchArgs,
    ...Object.entries(settings).map(([key, value]) => `--config=${key}=${value}`),
  ];
  await hardenedGit(cwd, [...cloneArgs, "--", opts.project, tmp.dir]);
  const gitDir = `--git-dir=${join(tmp.dir, ".git")}`;
  await hardenedGit(cwd, [gitDir, "remote", "remove", "origin"]);
  // A --shared clone sees every object of the project, so a recorded base commit is always there.
  const base = opts.baseCommit ?? `refs/heads/${opts.baseBranch}`;
  const baseCommit = await hardenedGit(cwd, [gitDir, "rev-parse", "--verify", `${base}^{commit}`]);
  await hardenedGit(cwd, [gitDir, "config", "gaffer.baseCommit", baseCommit]);
  await mkdir(dirname(tmp.pristineConfigPath), { recursive: true });
  await copyFile(join(tmp.dir, ".git", "config"), tmp.pristineConfigPath);
  await copyFile(join(tmp.dir, ".git", "objects", "info", "alternates"), pristineAlternatesPath(tmp));
  return baseCommit;
}

/** The new run branch at the base, checked out; gaffer's own index seeded from the checkout's. */
async function checkOutRunBranch(
  opts: CreateWorkspaceOptions,
  tmp: Workspace,
  baseCommit: string,
): Promise<void> {
  await workspaceGit(tmp, ["switch", "--quiet", "--discard-changes", "--create", opts.branch, baseCommit]);
  // gaffer's own index starts as the checkout's, with its stat cache, before the agent ever runs.
  await copyFile(join(tmp.dir, ".git", "index"), tmp.indexPath);
}

/** The base commit recorded for an existing workspace at `ws.dir`; undefined when there is none. */
async function recordedBase(project: string, ws: Workspace): Promise<string | undefined> {
  if (!(await exists(ws.dir))) return undefined;
  const args = ["config", "--file", ws.pristineConfigPath, "gaffer.baseCommit"];
  const base = await hardenedGit(project, args).catch(() => "");
  if (base === "") {
    throw new GafferError(
      "workspace-tampered",
      `${ws.dir} exists but is not a gaffer workspace`,
      "move it away",
    );
  }
  await verifyWorkspace(ws);
  return base;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Half-built clones from a crashed run; they never held agent work. */
async function removeLeftovers(dir: string): Promise<void> {
  const prefix = `${basename(dir)}.tmp-`;
  const siblings = await readdir(dirname(dir)).catch(() => []);
  for (const name of siblings.filter((entry) => entry.startsWith(prefix))) {
    await rm(join(dirname(dir), name), { recursive: true, force: true });
  }
}
