import { appendFile, copyFile, lstat, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { GafferError } from "../errors.ts";
import { checked, hardenedGit, hardenedGitResult, workspaceGit } from "./git.ts";
import { pristineAlternatesPath, removeGafferCopies, verifyWorkspace, workspaceAt } from "./integrity.ts";
import type { Identity, TamperEvidence, Workspace } from "./types.ts";

export interface CreateWorkspaceOptions {
  project: string;
  dir: string;
  /** The run branch to create, e.g. from runBranchName(). */
  branch: string;
  /**
   * A local branch of the project; the run starts from its tip unless `baseCommit` is given. The
   * workspace has it too, where the project has it now (not when the project no longer does).
   */
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
    await removeGafferCopies(workspace);
    throw error;
  }
}

/**
 * The clone's git metadata and gaffer's copies of it, without a checkout; returns the base commit.
 * What `git clone --shared --no-checkout` and removing its remote would leave (a repository
 * borrowing the project's objects, with the project's base branch as it is now), made directly in
 * half the processes.
 */
async function cloneMetadata(opts: CreateWorkspaceOptions, tmp: Workspace): Promise<string> {
  if (!opts.baseBranch && !opts.baseCommit) {
    throw new GafferError("usage", "createWorkspace needs a base branch or a base commit");
  }
  const project = await projectFacts(opts.project, opts.baseBranch);
  // The project's objects are all the clone's, so a recorded base commit is always there.
  const baseCommit = opts.baseCommit ?? project.tip;
  if (baseCommit === undefined) {
    throw new GafferError(
      "git-failed",
      `branch ${opts.baseBranch} does not point at a commit in ${opts.project}`,
    );
  }
  await hardenedGit(opts.project, ["init", "--quiet", "--template=", tmp.dir]);
  const gitDir = join(tmp.dir, ".git");
  const settings = {
    user: { name: opts.identity.name, email: opts.identity.email },
    gc: { auto: "0" },
    maintenance: { auto: "false" },
    gaffer: { baseCommit },
  };
  await appendFile(join(gitDir, "config"), configText(settings));
  // A clone's layout, without the template's samples: hooks and info exist, empty.
  for (const dir of ["hooks", "info", join("objects", "info")])
    await mkdir(join(gitDir, dir), { recursive: true });
  await writeFile(join(gitDir, "objects", "info", "alternates"), `${project.objects}\n`);
  // A run that continues its own branch (a track's next phase) has it made at its base below.
  if (opts.baseBranch && opts.baseBranch !== opts.branch && project.tip !== undefined) {
    const ref = `refs/heads/${opts.baseBranch}`;
    await hardenedGit(opts.project, [`--git-dir=${gitDir}`, "update-ref", ref, project.tip, ""]);
  }
  await mkdir(dirname(tmp.pristineConfigPath), { recursive: true });
  await copyFile(join(gitDir, "config"), tmp.pristineConfigPath);
  await copyFile(join(gitDir, "objects", "info", "alternates"), pristineAlternatesPath(tmp));
  return baseCommit;
}

/**
 * The project's object directory, and its branch `branch`'s tip (none when it has no such branch
 * any more), in one question to git.
 */
async function projectFacts(project: string, branch?: string): Promise<{ objects: string; tip?: string }> {
  const commonDir = ["rev-parse", "--path-format=absolute", "--git-common-dir"];
  const asked = await hardenedGitResult(project, [
    ...commonDir,
    ...(branch ? [`refs/heads/${branch}^{commit}`] : []),
  ]);
  if (asked.exitCode !== 0 && branch) return projectFacts(project);
  const [dir = "", tip] = checked(asked, commonDir, project).split("\n");
  return { objects: join(dir, "objects"), ...(tip !== undefined && { tip }) };
}

/** Sections of git config, each value quoted as git reads it back exactly. */
function configText(sections: Record<string, Record<string, string>>): string {
  const quoted = (value: string) =>
    `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n").replaceAll("\t", "\\t")}"`;
  return Object.entries(sections)
    .map(([section, keys]) =>
      [`[${section}]`, ...Object.entries(keys).map(([key, value]) => `\t${key} = ${quoted(value)}`)].join(
        "\n",
      ),
    )
    .map((lines) => `${lines}\n`)
    .join("");
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
