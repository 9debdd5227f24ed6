import { existsSync } from "node:fs";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { hardenedGit, type Identity, identityEnv, withRepoLock } from "../workspace/index.ts";

/**
 * Merging a proposal into the project's default branch with gaffer's own hardened git (no hooks,
 * no global config, no filters it did not choose): a merge commit built without a worktree, a
 * compare-and-swap ref update, and — when the branch is checked out — the worktree brought along,
 * but only if it holds no uncommitted change.
 */

export interface MergeSpec {
  /** The branch merged into, without refs/heads/. */
  into: string;
  /** The proposal's head commit: what was tested and approved. */
  head: string;
  message: string;
  identity: Identity;
}

export interface Merged {
  /** The tip of `into` before, and the merge commit now. */
  before: string;
  commit: string;
  /** The worktree that had `into` checked out and was brought along; null when none had. */
  worktree: string | null;
}

interface Plan {
  before: string;
  tree: string;
  worktree: string | null;
}

/** What a proposal's diff touches: every path it adds, changes or deletes, its lines and files. */
export async function diffFacts(
  root: string,
  base: string,
  head: string,
): Promise<{ paths: string[]; lines: number; files: number }> {
  const out = await hardenedGit(root, ["diff", "--numstat", "-z", "--no-renames", base, head]);
  const rows = out.split("\0").filter((row) => row !== "");
  let lines = 0;
  const paths = rows.map((row) => {
    const [added, deleted, ...path] = row.split("\t");
    lines += (Number(added) || 0) + (Number(deleted) || 0);
    return path.join("\t");
  });
  return { paths, lines, files: paths.length };
}

/** Throws the GafferError a merge would fail with now (conflicts, already merged, a dirty worktree); changes nothing. */
export async function checkMergeable(root: string, into: string, head: string): Promise<void> {
  await plan(root, into, head);
}

/** Merges `head` into `into`. Runs under the repository's lock; nothing changes unless everything does. */
export async function mergeIntoBranch(root: string, spec: MergeSpec): Promise<Merged> {
  return withRepoLock(root, async () => {
    const { before, tree, worktree } = await plan(root, spec.into, spec.head);
    const commit = await hardenedGit(
      root,
      ["commit-tree", tree, "-p", before, "-p", spec.head, "-m", spec.message],
      {
        env: identityEnv(spec.identity),
      },
    );
    const ref = `refs/heads/${spec.into}`;
    await casRef(
      root,
      ref,
      commit,
      before,
      "gaffer vault: merge",
      `${ref} moved while gaffer was merging; nothing was merged`,
    );
    if (worktree) {
      try {
        await hardenedGit(worktree, ["read-tree", "-m", "-u", before, commit]);
      } catch (error) {
        const stuck = `${worktree} could not be brought along, and ${ref} moved again before gaffer could put it back`;
        await casRef(root, ref, before, commit, "gaffer vault: undo merge", stuck);
        throw error;
      }
    }
    return { before, commit, worktree };
  });
}

async function plan(root: string, into: string, head: string): Promise<Plan> {
  const before = await hardenedGit(root, ["rev-parse", "--verify", `refs/heads/${into}^{commit}`]).catch(
    () => {
      throw new GafferError(
        "git-failed",
        `branch ${into} does not exist in ${root}`,
        "set [project] default_branch",
      );
    },
  );
  if (!(await gitSucceeds(root, ["cat-file", "-e", `${head}^{commit}`]))) {
    throw new GafferError(
      "git-failed",
      `the proposal's commit ${head.slice(0, 12)} is gone from ${root}`,
      "run the item again",
    );
  }
  if (await gitSucceeds(root, ["merge-base", "--is-ancestor", head, before])) {
    throw new GafferError(
      "run-state",
      `${head.slice(0, 12)} is already merged into ${into}`,
      "nothing to do",
    );
  }
  const merged = await hardenedGit(root, ["merge-tree", "--write-tree", "--no-messages", before, head]).catch(
    async (error: unknown) => {
      const both = await changedOnBothSides(root, before, head);
      if (both.length === 0) throw error;
      throw new GafferError(
        "git-failed",
        `the proposal conflicts with ${into} (both changed ${both.slice(0, 3).join(", ")}${both.length > 3 ? ", …" : ""})`,
        "run the item again on the current base, then merge the new proposal",
      );
    },
  );
  const tree = merged.split("\n")[0] as string;
  const worktree = await checkedOutIn(root, into);
  if (worktree) await assertClean(worktree, into, before, tree);
  return { before, tree, worktree };
}

/** Paths both `before` and `head` changed since they parted: where a failed merge conflicts. */
async function changedOnBothSides(root: string, before: string, head: string): Promise<string[]> {
  const base = await hardenedGit(root, ["merge-base", before, head]);
  const changed = async (tip: string) =>
    (await hardenedGit(root, ["diff", "--name-only", "-z", "--no-renames", base, tip]))
      .split("\0")
      .filter(Boolean);
  const ours = new Set(await changed(before));
  return (await changed(head)).filter((path) => ours.has(path));
}

/** The worktree (if any) that has `branch` checked out; a bare repository has none. */
async function checkedOutIn(root: string, branch: string): Promise<string | null> {
  const listing = await hardenedGit(root, ["worktree", "list", "--porcelain"]);
  for (const block of listing.split("\n\n")) {
    const lines = block.split("\n");
    if (lines.includes(`branch refs/heads/${branch}`) && !lines.includes("bare")) {
      return lines.find((line) => line.startsWith("worktree "))?.slice("worktree ".length) ?? null;
    }
  }
  return null;
}

/** Refuses a worktree with uncommitted changes, or with untracked files the merge would overwrite. */
async function assertClean(worktree: string, branch: string, before: string, tree: string): Promise<void> {
  const status = await hardenedGit(worktree, [
    "--no-optional-locks",
    "status",
    "--porcelain",
    "--untracked-files=no",
  ]);
  if (status !== "") {
    const count = status.split("\n").length;
    throw new GafferError(
      "git-failed",
      `${branch} is checked out in ${worktree} with ${count} uncommitted change${count === 1 ? "" : "s"}; gaffer will not touch them`,
      "commit or stash them (or switch that worktree to another branch), then try again",
    );
  }
  const added = await hardenedGit(worktree, ["diff", "--name-only", "-z", "--diff-filter=A", before, tree]);
  const blocking = added.split("\0").find((path) => path !== "" && existsSync(join(worktree, path)));
  if (blocking) {
    throw new GafferError(
      "git-failed",
      `the merge adds ${blocking}, which is an untracked file in ${worktree}; gaffer will not overwrite it`,
      "move it away, then try again",
    );
  }
}

async function casRef(
  root: string,
  ref: string,
  value: string,
  expected: string,
  reason: string,
  failure: string,
): Promise<void> {
  if (!(await gitSucceeds(root, ["update-ref", "-m", reason, ref, value, expected]))) {
    throw new GafferError("git-failed", failure, "look at the branch, then try again");
  }
}

/** Whether a hardened git command exits 0: for questions git answers with its exit code. */
export async function gitSucceeds(root: string, args: readonly string[]): Promise<boolean> {
  return hardenedGit(root, args).then(
    () => true,
    () => false,
  );
}
