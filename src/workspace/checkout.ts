import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EvidenceRepo } from "./evidence.ts";
import { hardenedGit, ownedGit, ownedGitResult } from "./git.ts";
import { type GitRunner, type WorktreeChanges, worktreeChanges } from "./tree.ts";

/** A directory gaffer filled with one tree of its evidence repository, and its own index of it. */
export interface Checkout {
  dir: string;
  /** gaffer's index of the checkout, outside it: what the checkout held before anything ran there. */
  indexPath: string;
  commit: string;
}

/**
 * Makes `dir` a fresh checkout of `commit`: only its files (no ignored file, nothing of any
 * workspace), and a `.git` of its own whose objects are the evidence repository's and whose HEAD
 * is `commit`, detached, so tools that ask git see a clean repository.
 */
export async function checkoutCommit(repo: EvidenceRepo, commit: string, dir: string): Promise<Checkout> {
  const checkout = { dir, indexPath: `${dir}.index`, commit };
  await rm(dir, { recursive: true, force: true });
  await rm(checkout.indexPath, { force: true });
  await mkdir(dir, { recursive: true });
  const opts = { workTree: dir, env: { GIT_INDEX_FILE: checkout.indexPath } };
  await ownedGit(repo.gitDir, ["read-tree", commit], opts);
  await ownedGit(repo.gitDir, ["checkout-index", "--all", "--force"], opts);
  const gitDir = join(dir, ".git");
  await hardenedGit(dir, ["init", "--quiet", "--template=", dir]);
  await mkdir(join(gitDir, "objects", "info"), { recursive: true });
  await writeFile(join(gitDir, "objects", "info", "alternates"), `${join(repo.gitDir, "objects")}\n`);
  await ownedGit(gitDir, ["update-ref", "--no-deref", "HEAD", commit]);
  await copyFile(checkout.indexPath, join(gitDir, "index"));
  return checkout;
}

/** What changed in the checkout since it was made: files created there, and tracked files changed. */
export async function checkoutChanges(repo: EvidenceRepo, checkout: Checkout): Promise<WorktreeChanges> {
  const run: GitRunner = (args, opts) =>
    ownedGitResult(repo.gitDir, args, { ...opts, workTree: checkout.dir });
  return worktreeChanges(run, { root: checkout.dir, parent: checkout.commit, indexPath: checkout.indexPath });
}
