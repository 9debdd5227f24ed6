import { copyFile, lstat, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EvidenceRepo } from "./evidence.ts";
import { checked, hardenedGit, ownedGit, ownedGitResult } from "./git.ts";
import { type GitRunner, type WorktreeChanges, worktreeChanges } from "./tree.ts";

/** A directory gaffer filled with one tree of its evidence repository, and its own index of it. */
export interface Checkout {
  dir: string;
  /** gaffer's index of the checkout, outside it: what the checkout held before anything ran there. */
  indexPath: string;
  commit: string;
}

/**
 * Makes `dir` a fresh checkout of `commit`: exactly its files (no ignored file, nothing of any
 * workspace), and a `.git` of its own whose objects are the evidence repository's and whose HEAD
 * is `commit`, detached, so tools that ask git see a clean repository. A checkout left by an
 * earlier gate is brought to `commit` in place — every file compared by content, everything the
 * tree does not hold removed — and made afresh when that does not leave it clean.
 */
export async function checkoutCommit(repo: EvidenceRepo, commit: string, dir: string): Promise<Checkout> {
  const checkout = { dir, indexPath: `${dir}.index`, commit };
  const reusable = (await lstat(join(dir, ".git")).catch(() => undefined))?.isDirectory() === true;
  if (!reusable || !(await refresh(repo, checkout))) await fresh(repo, checkout);
  const gitDir = join(dir, ".git");
  await rm(gitDir, { recursive: true, force: true });
  await hardenedGit(dir, ["init", "--quiet", "--template=", dir]);
  await mkdir(join(gitDir, "objects", "info"), { recursive: true });
  await writeFile(join(gitDir, "objects", "info", "alternates"), `${join(repo.gitDir, "objects")}\n`);
  await ownedGit(gitDir, ["update-ref", "--no-deref", "HEAD", commit]);
  await copyFile(checkout.indexPath, join(gitDir, "index"));
  return checkout;
}

/** What changed in the checkout since it was made: files created there, and tracked files changed. */
export async function checkoutChanges(repo: EvidenceRepo, checkout: Checkout): Promise<WorktreeChanges> {
  return worktreeChanges(runner(repo, checkout), {
    root: checkout.dir,
    parent: checkout.commit,
    indexPath: checkout.indexPath,
  });
}

async function fresh(repo: EvidenceRepo, checkout: Checkout): Promise<void> {
  await rm(checkout.dir, { recursive: true, force: true });
  await rm(checkout.indexPath, { force: true });
  await mkdir(checkout.dir, { recursive: true });
  const git = runner(repo, checkout);
  await checkedRun(git, ["read-tree", checkout.commit]);
  await checkedRun(git, ["checkout-index", "--all", "--force", "-u"]);
}

/**
 * Brings an earlier checkout to `checkout.commit`: an index without stat data makes git hash
 * every file, so a file the last gate changed is found whatever its timestamps say; changed
 * files are written again and every other path removed. True when the result is clean.
 */
async function refresh(repo: EvidenceRepo, checkout: Checkout): Promise<boolean> {
  const git = runner(repo, checkout);
  await rm(checkout.indexPath, { force: true });
  await rm(join(checkout.dir, ".git"), { recursive: true, force: true });
  await checkedRun(git, ["read-tree", checkout.commit]);
  await git(["update-index", "-q", "--refresh"]);
  const others = await checkedRun(git, ["ls-files", "-z", "--others", "--directory"]);
  for (const path of split(others)) await rm(join(checkout.dir, path), { recursive: true, force: true });
  const changed = split(await checkedRun(git, ["diff-files", "-z", "--name-only"]));
  if (changed.length > 0) {
    const input = Buffer.from(changed.map((path) => `${path}\0`).join(""));
    await checkedRun(git, ["checkout-index", "--force", "-u", "-z", "--stdin"], input);
  }
  const left = await checkoutChanges(repo, checkout);
  return left.changed.length === 0 && left.untracked.length === 0;
}

function runner(repo: EvidenceRepo, checkout: Checkout): GitRunner {
  return (args, opts) =>
    ownedGitResult(repo.gitDir, args, {
      ...opts,
      workTree: checkout.dir,
      env: { ...opts?.env, GIT_INDEX_FILE: checkout.indexPath },
    });
}

async function checkedRun(git: GitRunner, args: readonly string[], input?: Buffer): Promise<string> {
  const result = await git(args, input === undefined ? {} : { input });
  checked(result, args, "the gate's checkout");
  return result.stdout.toString("utf8");
}

function split(output: string): string[] {
  return output.split("\0").filter((path) => path !== "");
}
