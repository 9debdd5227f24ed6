import type { Need } from "./access.ts";
import { followBranches, resolveRef } from "./git-backend.ts";
import { ApiError, bodyObject, lineComments, page, queryValue, type Router } from "./http.ts";
import * as shape from "./github-pull-shapes.ts";
import { DOCS, ok, pullOf, type RepoOf, requireUser, validation } from "./github-common.ts";
import { mergePull } from "./merge.ts";
import type { ForgeModel } from "./model.ts";
import { nodeId } from "./github-shapes.ts";

/** What GitHub says when it will not merge. */
const REFUSED = {
  draft: "Pull Request is still a draft",
  moved: "Head branch was modified. Review and try the merge again.",
  protected: "At least 1 approving review is required by reviewers with write access.",
  conflict: "Pull Request is not mergeable",
};

/**
 * GitHub's pull requests: list, create (draft too), get, update, merge (branch protection
 * respected), their reviews, and the one GraphQL mutation REST lacks: leaving draft.
 */
export function pullRoutes(router: Router, model: ForgeModel, repoOf: RepoOf): void {
  const read: Need = { role: "read", permission: "pull_requests", level: "read" };
  const write: Need = { role: "write", permission: "pull_requests", level: "write" };

  router.on("GET", "/repos/:owner/:repo/pulls", (req) => {
    const repo = repoOf(req, read);
    const state = queryValue(req, "state") ?? "open";
    const head = queryValue(req, "head");
    const base = queryValue(req, "base");
    const pulls = [...repo.issues.values()]
      .filter((i) => i.pull && (state === "all" || i.state === state))
      .filter(
        (i) => head === undefined || `${repo.owner.login}:${i.pull?.head}` === head || i.pull?.head === head,
      )
      .filter((i) => base === undefined || i.pull?.base === base)
      .map((i) => followBranches(repo, i))
      .sort((a, b) => b.number - a.number);
    const paged = page(req, pulls, "github");
    return ok(
      paged.items.map((i) => shape.pull(req.base, repo, i, false)),
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/pulls", (req) => {
    const repo = repoOf(req, write);
    const body = bodyObject(req);
    const head = String(body["head"] ?? "").replace(/^[^:]+:/, "");
    const base = String(body["base"] ?? "");
    if (typeof body["title"] !== "string" || !body["title"])
      throw validation("PullRequest", "title", "missing_field");
    const headSha = resolveRef(repo.gitDir, head);
    const baseSha = resolveRef(repo.gitDir, base);
    if (!headSha) throw validation("PullRequest", "head", "invalid");
    if (!baseSha) throw validation("PullRequest", "base", "invalid");
    const existing = [...repo.issues.values()].find(
      (i) => i.pull?.head === head && i.pull.base === base && i.state === "open",
    );
    if (existing) {
      throw new ApiError(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for ${repo.owner.login}:${head}.`,
          },
        ],
        documentation_url: DOCS,
        status: "422",
      });
    }
    const issue = model.createIssue(
      repo,
      requireUser(req),
      { title: body["title"], body: typeof body["body"] === "string" ? body["body"] : null },
      {
        head,
        base,
        headSha,
        baseSha,
        draft: body["draft"] === true,
        merged: false,
        mergedAt: null,
        reviews: [],
        comments: [],
      },
    );
    return ok(shape.pull(req.base, repo, issue, true), 201);
  });

  router.on("GET", "/repos/:owner/:repo/pulls/:number", (req) => {
    const repo = repoOf(req, read);
    return ok(shape.pull(req.base, repo, followBranches(repo, pullOf(repo, req)), true));
  });

  router.on("PATCH", "/repos/:owner/:repo/pulls/:number", (req) => {
    const repo = repoOf(req, write);
    const issue = pullOf(repo, req);
    const body = bodyObject(req);
    if (typeof body["title"] === "string" || typeof body["body"] === "string") {
      model.edit(
        repo,
        issue,
        {
          ...(typeof body["title"] === "string" && { title: body["title"] }),
          ...(typeof body["body"] === "string" && { body: body["body"] }),
        },
        req.user,
      );
    }
    if (body["state"] === "open" || body["state"] === "closed")
      model.setState(repo, issue, body["state"], req.user);
    if (typeof body["base"] === "string" && issue.pull) issue.pull.base = body["base"];
    return ok(shape.pull(req.base, repo, followBranches(repo, issue), true));
  });

  router.on("PUT", "/repos/:owner/:repo/pulls/:number/merge", (req) => {
    const repo = repoOf(req, { role: "write", permission: "contents", level: "write" });
    const body = bodyObject(req);
    const merged = mergePull(model, repo, pullOf(repo, req), requireUser(req), {
      sha: typeof body["sha"] === "string" ? body["sha"] : undefined,
      title: typeof body["commit_title"] === "string" ? body["commit_title"] : "Merge pull request",
      message: typeof body["commit_message"] === "string" ? body["commit_message"] : "",
    });
    if ("status" in merged) {
      throw new ApiError(merged.status, {
        message: REFUSED[merged.reason],
        documentation_url: DOCS,
        status: String(merged.status),
      });
    }
    return ok({ sha: merged.sha, merged: true, message: "Pull Request successfully merged" });
  });

  router.on("POST", "/graphql", (req) => {
    const body = bodyObject(req);
    const query = String(body["query"] ?? "");
    const id = (body["variables"] as { id?: unknown } | undefined)?.id;
    if (!query.includes("markPullRequestReadyForReview")) {
      return ok({ errors: [{ message: "the fake forge answers only markPullRequestReadyForReview" }] });
    }
    for (const candidate of model.repos.values()) {
      for (const issue of candidate.issues.values()) {
        if (!issue.pull || nodeId("PR", issue.id) !== id) continue;
        repoOf({ ...req, params: { owner: candidate.owner.login, repo: candidate.name } }, write);
        issue.pull.draft = false;
        return ok({ data: { markPullRequestReadyForReview: { clientMutationId: null } } });
      }
    }
    return ok({
      data: null,
      errors: [
        { type: "NOT_FOUND", message: `Could not resolve to a node with the global id of '${String(id)}'` },
      ],
    });
  });

  router.on("GET", "/repos/:owner/:repo/pulls/:number/reviews", (req) => {
    const repo = repoOf(req, read);
    const issue = pullOf(repo, req);
    const paged = page(req, issue.pull?.reviews ?? [], "github");
    return ok(
      paged.items.map((r) => shape.review(req.base, repo, issue, r)),
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/pulls/:number/reviews", (req) => {
    const repo = repoOf(req, { ...write, role: "read" });
    const issue = followBranches(repo, pullOf(repo, req));
    const body = bodyObject(req);
    const event = String(body["event"] ?? "COMMENT");
    const state =
      event === "APPROVE" ? "APPROVED" : event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED";
    const text = typeof body["body"] === "string" ? body["body"] : "";
    if (state !== "APPROVED" && !text) throw validation("PullRequestReview", "body", "missing_field");
    const comments = lineComments(body["comments"], "line");
    return ok(
      shape.review(req.base, repo, issue, model.review(repo, issue, requireUser(req), text, state, comments)),
    );
  });

  router.on("GET", "/repos/:owner/:repo/pulls/:number/comments", (req) => {
    const repo = repoOf(req, read);
    const issue = pullOf(repo, req);
    const paged = page(req, issue.pull?.comments ?? [], "github");
    return ok(
      paged.items.map((c) => shape.reviewComment(req.base, repo, issue, c)),
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/pulls/:number/comments", (req) => {
    const repo = repoOf(req, { ...write, role: "read" });
    const issue = followBranches(repo, pullOf(repo, req));
    const body = bodyObject(req);
    const replyTo =
      typeof body["in_reply_to"] === "number"
        ? issue.pull?.comments.find((c) => c.id === body["in_reply_to"])
        : undefined;
    if (typeof body["body"] !== "string" || !body["body"])
      throw validation("PullRequestReviewComment", "body", "missing_field");
    if (!replyTo && (typeof body["path"] !== "string" || typeof body["commit_id"] !== "string")) {
      throw validation(
        "PullRequestReviewComment",
        typeof body["path"] === "string" ? "commit_id" : "path",
        "missing_field",
      );
    }
    const comment = model.reviewComment(repo, issue, requireUser(req), {
      body: body["body"],
      path: replyTo?.path ?? String(body["path"]),
      line: replyTo?.line ?? (typeof body["line"] === "number" ? body["line"] : null),
      commitId: replyTo?.commitId ?? String(body["commit_id"]),
      inReplyTo: replyTo?.id ?? null,
    });
    return ok(shape.reviewComment(req.base, repo, issue, comment), 201);
  });
}
