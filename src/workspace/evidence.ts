import { appendFile, copyFile, lstat, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { GafferError } from "../errors.ts";
import { hardenedGit, identityEnv, ownedGit, ownedGitResult, projectGit } from "./git.ts";
import { verifyWorkspace } from "./integrity.ts";
import { literalIgnorePattern } from "./setup.ts";
import { captureTree, type GitRunner } from "./tree.ts";
import type { Identity, ObjectReader, Workspace } from "./types.ts";

/**
 * A run's evidence repository: a bare repository gaffer alone writes, outside every sandbox, with
 * the project's objects behind it (alternates; the project's store is read-only to agents). The
 * agent's commits come in through a hash-verifying fetch, its uncommitted files are hashed by
 * gaffer through its own index, and the proposal is committed and published from here.
 */
export interface EvidenceRepo extends ObjectReader {
  readonly gitDir: string;
}

/** The agent's work as gaffer recorded it after a turn. */
export interface WorkRecord {
  /** The run branch's tip as fetched from the workspace; null when the workspace has no run branch. */
  tip: string | null;
  /** The tip (or the base) plus every uncommitted change: the commit the gate, checks and proposal name. */
  commit: string;
  tree: string;
}

export interface RecordWorkOptions {
  /** The run branch, without `refs/heads/`. */
  branch: string;
  /** The parent when the workspace has no run branch. */
  baseCommit: string;
  /** The message of the commit that holds uncommitted changes. */
  message: string;
  identity: Identity;
  /** Bounds the fetch from the workspace (upload-pack runs there). */
  timeoutMs?: number;
  /** The run's signal: aborting stops the fetch and the hashing. */
  signal?: AbortSignal;
}

/** Where the workspace's branches are kept in the evidence repository. */
const WORKSPACE_HEADS = "refs/gaffer/workspace/heads/";
const FETCH_TIMEOUT_MS = 5 * 60_000;
/** gaffer's index of the workspace's files, in the evidence repository. */
const WORKTREE_INDEX = "worktree.index";

/**
 * Opens (creating it the first time) the evidence repository at `gitDir` for `project`. `exclude`
 * lists files gaffer itself put in the workspace (setup copies): never part of the recorded work.
 */
export async function openEvidenceRepo(
  project: string,
  gitDir: string,
  exclude: readonly string[] = [],
  opts: { seedIndex?: string } = {},
): Promise<EvidenceRepo> {
  if (!(await lstat(join(gitDir, "objects")).catch(() => undefined))?.isDirectory()) {
    await initRepo(project, gitDir, opts.seedIndex);
  }
  await writeFile(join(gitDir, "info", "exclude"), exclude.map(literalIgnorePattern).join(""));
  return evidenceRepoAt(gitDir);
}

/** The handle of an evidence repository that exists at `gitDir`. */
export function evidenceRepoAt(gitDir: string): EvidenceRepo {
  return { gitDir, location: gitDir, git: (args, opts) => ownedGitResult(gitDir, args, opts) };
}

/**
 * Records the workspace's work: fetches its branches (upload-pack in the workspace, every object
 * hashed on arrival) and hashes its uncommitted, not-ignored files into a commit on the run
 * branch's tip. The agent's index, its flags and its object store are never trusted.
 */
export async function recordWork(
  repo: EvidenceRepo,
  ws: Workspace,
  opts: RecordWorkOptions,
): Promise<WorkRecord> {
  await importWorkspace(repo, ws, { timeoutMs: opts.timeoutMs ?? FETCH_TIMEOUT_MS, signal: opts.signal });
  const tip = await resolveIn(repo, `${WORKSPACE_HEADS}${opts.branch}`);
  const parent = tip ?? opts.baseCommit;
  // Hashing a huge file stops the moment the run's signal aborts (a limit tripped, a cancel).
  const run: GitRunner = (args, gitOpts) =>
    ownedGitResult(repo.gitDir, args, {
      ...gitOpts,
      workTree: ws.dir,
      ...(opts.signal && { signal: opts.signal }),
    });
  const indexPath = join(repo.gitDir, WORKTREE_INDEX);
  const tree = await captureTree(run, { root: ws.dir, parent, indexPath });
  const parentTree = await ownedGit(repo.gitDir, ["rev-parse", `${parent}^{tree}`]);
  const commit =
    tree === parentTree
      ? parent
      : await ownedGit(repo.gitDir, ["commit-tree", tree, "-p", parent, "-F", "-"], {
          input: opts.message.endsWith("\n") ? opts.message : `${opts.message}\n`,
          env: identityEnv(opts.identity),
        });
  return { tip, commit, tree };
}

/** Points `ref` of the evidence repository at `commit`, so it is kept. */
export async function keepCommit(repo: EvidenceRepo, ref: string, commit: string): Promise<void> {
  await ownedGit(repo.gitDir, ["update-ref", ref, commit]);
}

/** The commit `revision` names in the evidence repository, or null. */
export async function resolveIn(repo: ObjectReader, revision: string): Promise<string | null> {
  const result = await repo.git(["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.toString("utf8").trim() : null;
}

/** The workspace's branch tips as the evidence repository last fetched them, by branch name. */
export async function workspaceBranches(repo: EvidenceRepo): Promise<Record<string, string>> {
  const output = await ownedGit(repo.gitDir, [
    "for-each-ref",
    "--format=%(refname) %(objectname)",
    WORKSPACE_HEADS,
  ]);
  const branches: Record<string, string> = {};
  for (const line of output.split("\n").filter((entry) => entry !== "")) {
    const space = line.lastIndexOf(" ");
    branches[line.slice(WORKSPACE_HEADS.length, space)] = line.slice(space + 1);
  }
  return branches;
}

async function importWorkspace(
  repo: EvidenceRepo,
  ws: Workspace,
  limits: { timeoutMs: number; signal: AbortSignal | undefined },
): Promise<void> {
  // upload-pack reads the workspace's HEAD and config: both are checked first.
  await verifyWorkspace(ws);
  const args = [
    "fetch",
    "--quiet",
    "--no-tags",
    "--prune",
    "--no-write-fetch-head",
    "--no-auto-gc",
    "--no-recurse-submodules",
    "--no-show-forced-updates",
    join(ws.dir, ".git"),
    `+refs/heads/*:${WORKSPACE_HEADS}*`,
  ];
  const result = await ownedGitResult(repo.gitDir, args, {
    timeoutMs: limits.timeoutMs,
    ...(limits.signal && { signal: limits.signal }),
  });
  if (limits.signal?.aborted) throw new GafferError("cancelled", `recording ${ws.dir}'s work was cancelled`);
  if (result.exitCode === 0) return;
  const why = result.timedOut ? "timed out" : (result.stderr.split("\n").find((l) => l.trim()) ?? "");
  throw new GafferError(
    "workspace-tampered",
    `gaffer's verified transfer of ${ws.dir}'s objects failed: ${why}`,
    "its git objects or metadata are not what git wrote; inspect the workspace by hand",
  );
}

/**
 * `seedIndex`: gaffer's own index of the workspace (never the agent's), whose stat cache spares
 * hashing every unchanged file the first time the work is recorded.
 */
async function initRepo(project: string, gitDir: string, seedIndex: string | undefined): Promise<void> {
  const tmp = `${gitDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(dirname(gitDir), { recursive: true });
  await hardenedGit(project, ["init", "--quiet", "--bare", "--template=", tmp]);
  // gaffer's own fresh directory: its config is extended directly rather than by a git call a key.
  await appendFile(join(tmp, "config"), "[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n");
  const common = await projectGit(project, ["rev-parse", "--git-common-dir"]);
  await mkdir(join(tmp, "objects", "info"), { recursive: true });
  await mkdir(join(tmp, "info"), { recursive: true });
  await writeFile(join(tmp, "objects", "info", "alternates"), `${resolve(project, common, "objects")}\n`);
  if (seedIndex) await copyFile(seedIndex, join(tmp, WORKTREE_INDEX)).catch(() => {});
  await rename(tmp, gitDir);
}
