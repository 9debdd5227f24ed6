import { execFileSync } from "node:child_process";
import { resolveRef } from "./git-backend.ts";
import type { ForgeModel, Issue, Repo, User } from "./model.ts";

/**
 * Merging a pull request as a forge does: refused while it is a draft, when its head moved past
 * the commit the caller names, when the base branch's protection is not met (approving reviews
 * by the head's latest commit), or when it conflicts; otherwise a real merge commit on the base
 * branch of the bare repository.
 */

export interface MergeRequest {
  sha: string | undefined;
  title: string;
  message: string;
}

export type MergeRefusal = { status: 405 | 409; reason: "draft" | "moved" | "protected" | "conflict" };

export function mergePull(
  model: ForgeModel,
  repo: Repo,
  issue: Issue,
  user: User,
  request: MergeRequest,
): { sha: string } | MergeRefusal {
  const pull = issue.pull;
  if (!pull || issue.state !== "open" || pull.merged) return { status: 405, reason: "conflict" };
  const head = resolveRef(repo.gitDir, pull.head) ?? pull.headSha;
  const base = resolveRef(repo.gitDir, pull.base) ?? pull.baseSha;
  if (pull.draft) return { status: 405, reason: "draft" };
  if (request.sha !== undefined && request.sha !== head) return { status: 409, reason: "moved" };
  const rule = repo.protections.get(pull.base);
  if (rule) {
    const approvals = pull.reviews.filter((r) => r.state === "APPROVED" && r.commitId === head).length;
    if (approvals < rule.requiredApprovals) return { status: 405, reason: "protected" };
  }
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo.gitDir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: user.login,
        GIT_AUTHOR_EMAIL: `${user.login}@fake.invalid`,
        GIT_COMMITTER_NAME: "forge",
        GIT_COMMITTER_EMAIL: "forge@fake.invalid",
      },
    }).trim();
  let tree: string;
  try {
    tree = git("merge-tree", "--write-tree", "--no-messages", base, head).split("\n")[0] as string;
  } catch {
    return { status: 405, reason: "conflict" };
  }
  const commit = git(
    "commit-tree",
    tree,
    "-p",
    base,
    "-p",
    head,
    "-m",
    `${request.title}\n\n${request.message}`,
  );
  git("update-ref", `refs/heads/${pull.base}`, commit, base);
  pull.headSha = head;
  pull.baseSha = base;
  pull.merged = true;
  pull.mergedAt = model.stamp();
  pull.mergeCommit = commit;
  model.setState(repo, issue, "closed", user);
  return { sha: commit };
}
