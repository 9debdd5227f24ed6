import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { hardenedGit, identityEnv } from "./git.ts";
import { withRepoLock } from "./lock.ts";
import { refuseCheckedOut } from "./snapshot.ts";
import type { Identity } from "./types.ts";

/**
 * Commits gaffer writes into the project itself, with its own hardened git and never through the
 * user's index or checkout: a tree with some files replaced, a commit of a tree, a note on a
 * commit, and a branch moved only from the tip gaffer last saw.
 */

/** The tree of `commit` with `files` (paths relative to the root) holding the given content. */
export async function treeWithFiles(
  project: string,
  commit: string,
  files: Readonly<Record<string, string | Buffer>>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gaffer-index-"));
  const env = { GIT_INDEX_FILE: join(dir, "index") };
  try {
    await hardenedGit(project, ["read-tree", `${commit}^{tree}`], { env });
    for (const [path, content] of Object.entries(files)) {
      const blob = await hardenedGit(project, ["hash-object", "-w", "--stdin"], { input: content });
      const mode = (await modeOf(project, commit, path)) ?? "100644";
      await hardenedGit(project, ["update-index", "--add", "--cacheinfo", `${mode},${blob},${path}`], {
        env,
      });
    }
    return await hardenedGit(project, ["write-tree"], { env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A commit of `tree` on `parent`, by `identity`. */
export async function commitTree(
  project: string,
  options: { tree: string; parent: string; message: string; identity: Identity },
): Promise<string> {
  return hardenedGit(project, ["commit-tree", options.tree, "-p", options.parent, "-F", "-"], {
    input: options.message,
    env: identityEnv(options.identity),
  });
}

/** Attaches `text` to `commit` as a git note (`refs/notes/commits`), replacing an earlier one. */
export async function addNote(
  project: string,
  commit: string,
  text: string,
  identity: Identity,
): Promise<void> {
  await hardenedGit(project, ["notes", "add", "--force", "-F", "-", commit], {
    input: text,
    env: identityEnv(identity),
  });
}

/**
 * Points `branch` at `to`, only if it still points at `from` (null: only if it does not exist
 * yet), under the repository's lock. A branch checked out in a worktree is not moved under it.
 */
export async function moveBranch(
  project: string,
  branch: string,
  to: string,
  from: string | null,
): Promise<void> {
  const ref = `refs/heads/${branch}`;
  await withRepoLock(project, async () => {
    await refuseCheckedOut(project, ref);
    await hardenedGit(project, ["update-ref", "-m", "gaffer", ref, to, from ?? ""]).catch(() => {
      throw new GafferError(
        "git-failed",
        `${branch} moved while gaffer was adding to it; nothing was changed`,
        "something else writes to that branch: stop it, then run again",
      );
    });
  });
}

async function modeOf(project: string, commit: string, path: string): Promise<string | undefined> {
  const listed = await hardenedGit(project, ["ls-tree", commit, "--", path]);
  return /^(\d+) blob /.exec(listed)?.[1];
}
