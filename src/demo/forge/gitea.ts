import { authorizeGitea, type Need, requireGiteaScope } from "./access.ts";
import { followBranches, resolveRef } from "./git-backend.ts";
import * as shape from "./gitea-shapes.ts";
import {
  ApiError,
  type ApiRequest,
  type ApiResponse,
  bodyObject,
  lineComments,
  page,
  queryValue,
  Router,
  stringList,
} from "./http.ts";
import { mergePull } from "./merge.ts";
import type { ForgeModel, Issue, Label, Repo, User } from "./model.ts";

/**
 * The subset of Gitea's API v1 (Forgejo's too) that gaffer uses, under `/api/v1`: the user, the
 * repository, issues (labels by id or name, assignees replaced by PATCH), comments, labels, pull
 * requests and reviews, commit statuses and webhooks. Gitea has no check runs: CI reports statuses.
 */
export function giteaRoutes(model: ForgeModel): Router {
  const router = new Router();
  const repoOf = (req: ApiRequest, need: Need) => authorizeGitea(model, req, need);
  const read: Need = { role: "read", permission: "issues", level: "read" };
  const write: Need = { role: "read", permission: "issues", level: "write" };
  const triage: Need = { role: "triage", permission: "issues", level: "write" };
  const api = "/api/v1";

  router.on("GET", `${api}/version`, () => ok({ version: "1.23.1" }));

  router.on("GET", `${api}/user`, (req) => {
    requireGiteaScope(req, "user", "read");
    return ok(shape.user(req.base, requireUser(req)));
  });

  router.on("GET", `${api}/repos/:owner/:repo`, (req) => {
    const repo = repoOf(req, { role: "read", permission: "metadata", level: "read" });
    return ok(shape.repository(req.base, repo, model.role(repo, req.user)));
  });

  router.on("GET", `${api}/repos/:owner/:repo/issues`, (req) => {
    const repo = repoOf(req, read);
    const state = queryValue(req, "state") ?? "open";
    const type = queryValue(req, "type");
    const labels = (queryValue(req, "labels") ?? "")
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const since = queryValue(req, "since");
    const issues = [...repo.issues.values()]
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => type === undefined || (type === "pulls") === Boolean(i.pull))
      .filter((i) => labels.length === 0 || i.labels.some((l) => labels.includes(l.name.toLowerCase())))
      .filter(
        (i) => since === undefined || i.updatedAt >= new Date(since).toISOString().replace(/\.\d{3}Z$/, "Z"),
      )
      .sort((a, b) => b.number - a.number);
    const paged = page(req, issues, "gitea");
    return ok(
      paged.items.map((i) => shape.issue(req.base, repo, i)),
      200,
      paged.headers,
    );
  });

  router.on("POST", `${api}/repos/:owner/:repo/issues`, (req) => {
    const repo = repoOf(req, write);
    const body = bodyObject(req);
    if (typeof body["title"] !== "string" || !body["title"]) throw unprocessable(req, "[Title]: Required");
    const issue = model.createIssue(repo, requireUser(req), {
      title: body["title"],
      body: typeof body["body"] === "string" ? body["body"] : "",
      labels: labelsByIdOrName(model, repo, body["labels"]).map((l) => l.name),
      assignees: stringList(body["assignees"]),
    });
    return ok(shape.issue(req.base, repo, issue), 201);
  });

  router.on("GET", `${api}/repos/:owner/:repo/issues/:number`, (req) => {
    const repo = repoOf(req, read);
    return ok(shape.issue(req.base, repo, issueOf(req, repo)));
  });

  router.on("PATCH", `${api}/repos/:owner/:repo/issues/:number`, (req) => {
    const repo = repoOf(req, write);
    const issue = issueOf(req, repo);
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
    if (Array.isArray(body["assignees"])) {
      const users = stringList(body["assignees"]).map((login) => {
        const found = model.users.get(login);
        if (!found) throw unprocessable(req, `user does not exist [name: ${login}]`);
        return found;
      });
      model.setAssignees(repo, issue, users, req.user);
    }
    return ok(shape.issue(req.base, repo, issue), 201);
  });

  const addLabels = (replace: boolean) => (req: ApiRequest) => {
    const repo = repoOf(req, triage);
    const issue = issueOf(req, repo);
    const labels = labelsByIdOrName(model, repo, bodyObject(req)["labels"]);
    if (replace) for (const label of [...issue.labels]) model.removeLabel(repo, issue, label, req.user);
    model.addLabels(
      repo,
      issue,
      labels.map((l) => l.name),
      req.user,
    );
    return ok(issue.labels.map((l) => shape.label(req.base, repo, l)));
  };
  router.on("POST", `${api}/repos/:owner/:repo/issues/:number/labels`, addLabels(false));
  router.on("PUT", `${api}/repos/:owner/:repo/issues/:number/labels`, addLabels(true));

  router.on("DELETE", `${api}/repos/:owner/:repo/issues/:number/labels/:id`, (req) => {
    const repo = repoOf(req, triage);
    const issue = issueOf(req, repo);
    const label = issue.labels.find((l) => l.id === Number(req.params["id"]));
    if (!label) throw notFound(req);
    model.removeLabel(repo, issue, label, req.user);
    return { status: 204 };
  });

  router.on("GET", `${api}/repos/:owner/:repo/issues/:number/comments`, (req) => {
    const repo = repoOf(req, read);
    const issue = issueOf(req, repo);
    return ok(issue.comments.map((c) => shape.comment(req.base, repo, issue, c)));
  });

  router.on("POST", `${api}/repos/:owner/:repo/issues/:number/comments`, (req) => {
    const repo = repoOf(req, write);
    const issue = issueOf(req, repo);
    const text = bodyObject(req)["body"];
    if (typeof text !== "string" || !text) throw unprocessable(req, "[Body]: Required");
    return ok(shape.comment(req.base, repo, issue, model.comment(repo, issue, requireUser(req), text)), 201);
  });

  router.on("GET", `${api}/repos/:owner/:repo/labels`, (req) => {
    const repo = repoOf(req, read);
    const paged = page(req, repo.labels, "gitea");
    return ok(
      paged.items.map((l) => shape.label(req.base, repo, l)),
      200,
      paged.headers,
    );
  });

  router.on("POST", `${api}/repos/:owner/:repo/labels`, (req) => {
    const repo = repoOf(req, { ...triage, role: "write" });
    const body = bodyObject(req);
    if (typeof body["name"] !== "string" || !body["name"]) throw unprocessable(req, "[Name]: Required");
    const color = typeof body["color"] === "string" ? body["color"].replace(/^#/, "") : "";
    if (!/^[0-9a-f]{6}$/i.test(color)) throw unprocessable(req, "[Color]: Required");
    const description = typeof body["description"] === "string" ? body["description"] : "";
    return ok(shape.label(req.base, repo, model.createLabel(repo, body["name"], color, description)), 201);
  });

  pullRoutes(router, model, repoOf, api);
  statusRoutes(router, model, repoOf, api);
  return router;
}

/** What Gitea says when it will not merge. */
const GITEA_REFUSED = {
  draft: "The pull request is a work in progress",
  moved: "head out of date",
  protected: "Does not have enough approvals",
  conflict: "Please try again later",
};

function pullRoutes(
  router: Router,
  model: ForgeModel,
  repoOf: (req: ApiRequest, need: Need) => Repo,
  api: string,
): void {
  const read: Need = { role: "read", permission: "pull_requests", level: "read" };
  const write: Need = { role: "write", permission: "pull_requests", level: "write" };

  router.on("GET", `${api}/repos/:owner/:repo/pulls`, (req) => {
    const repo = repoOf(req, read);
    const state = queryValue(req, "state") ?? "open";
    const pulls = [...repo.issues.values()]
      .filter((i) => i.pull && (state === "all" || i.state === state))
      .map((i) => followBranches(repo, i))
      .sort((a, b) => b.number - a.number);
    const paged = page(req, pulls, "gitea");
    return ok(
      paged.items.map((i) => shape.pull(req.base, repo, i)),
      200,
      paged.headers,
    );
  });

  router.on("POST", `${api}/repos/:owner/:repo/pulls`, (req) => {
    const repo = repoOf(req, write);
    const body = bodyObject(req);
    const head = String(body["head"] ?? "");
    const base = String(body["base"] ?? "");
    if (typeof body["title"] !== "string" || !body["title"]) throw unprocessable(req, "[Title]: Required");
    const headSha = resolveRef(repo.gitDir, head);
    const baseSha = resolveRef(repo.gitDir, base);
    if (!headSha || !baseSha) throw notFound(req);
    const existing = [...repo.issues.values()].find(
      (i) => i.pull?.head === head && i.pull.base === base && i.state === "open",
    );
    if (existing) {
      throw new ApiError(409, {
        message: `pull request already exists for these targets [id: ${existing.id}, issue_id: ${existing.id}, head_repo_id: ${repo.id}, base_repo_id: ${repo.id}, head_branch: ${head}, base_branch: ${base}]`,
        url: `${req.base}/api/swagger`,
      });
    }
    const issue = model.createIssue(
      repo,
      requireUser(req),
      { title: body["title"], body: typeof body["body"] === "string" ? body["body"] : "" },
      {
        head,
        base,
        headSha,
        baseSha,
        draft: shape.isDraft(body["title"]),
        merged: false,
        mergedAt: null,
        reviews: [],
        comments: [],
      },
    );
    return ok(shape.pull(req.base, repo, issue), 201);
  });

  router.on("GET", `${api}/repos/:owner/:repo/pulls/:number`, (req) => {
    const repo = repoOf(req, read);
    return ok(shape.pull(req.base, repo, followBranches(repo, pullOf(req, repo))));
  });

  router.on("PATCH", `${api}/repos/:owner/:repo/pulls/:number`, (req) => {
    const repo = repoOf(req, write);
    const issue = pullOf(req, repo);
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
    if (typeof body["title"] === "string" && issue.pull) issue.pull.draft = shape.isDraft(body["title"]);
    if (body["state"] === "open" || body["state"] === "closed")
      model.setState(repo, issue, body["state"], req.user);
    if (typeof body["base"] === "string" && issue.pull) issue.pull.base = body["base"];
    return ok(shape.pull(req.base, repo, followBranches(repo, issue)), 201);
  });

  router.on("POST", `${api}/repos/:owner/:repo/pulls/:number/merge`, (req) => {
    const repo = repoOf(req, { role: "write", permission: "contents", level: "write" });
    const body = bodyObject(req);
    const merged = mergePull(model, repo, pullOf(req, repo), requireUser(req), {
      sha: typeof body["head_commit_id"] === "string" ? body["head_commit_id"] : undefined,
      title: typeof body["MergeTitleField"] === "string" ? body["MergeTitleField"] : "Merge pull request",
      message: typeof body["MergeMessageField"] === "string" ? body["MergeMessageField"] : "",
    });
    if ("status" in merged) {
      throw new ApiError(merged.status, {
        message: GITEA_REFUSED[merged.reason],
        url: `${req.base}/api/swagger`,
      });
    }
    return { status: 200, body: undefined, headers: {} };
  });

  router.on("GET", `${api}/repos/:owner/:repo/pulls/:number/reviews`, (req) => {
    const repo = repoOf(req, read);
    const issue = pullOf(req, repo);
    return ok((issue.pull?.reviews ?? []).map((r) => shape.review(req.base, repo, issue, r)));
  });

  router.on("POST", `${api}/repos/:owner/:repo/pulls/:number/reviews`, (req) => {
    const repo = repoOf(req, { ...write, role: "read" });
    const issue = followBranches(repo, pullOf(req, repo));
    const body = bodyObject(req);
    const event = String(body["event"] ?? "COMMENT");
    const state =
      event === "APPROVED" ? "APPROVED" : event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED";
    const text = typeof body["body"] === "string" ? body["body"] : "";
    const comments = lineComments(body["comments"], "new_position");
    return ok(
      shape.review(req.base, repo, issue, model.review(repo, issue, requireUser(req), text, state, comments)),
    );
  });

  router.on("GET", `${api}/repos/:owner/:repo/pulls/:number/reviews/:id/comments`, (req) => {
    const repo = repoOf(req, read);
    const issue = pullOf(req, repo);
    const comments = (issue.pull?.comments ?? []).filter((c) => c.reviewId === Number(req.params["id"]));
    return ok(comments.map((c) => shape.reviewComment(req.base, repo, issue, c)));
  });
}

function statusRoutes(
  router: Router,
  model: ForgeModel,
  repoOf: (req: ApiRequest, need: Need) => Repo,
  api: string,
): void {
  router.on("POST", `${api}/repos/:owner/:repo/statuses/:sha`, (req) => {
    const repo = repoOf(req, { role: "write", permission: "statuses", level: "write" });
    const body = bodyObject(req);
    const state = body["state"];
    if (state !== "pending" && state !== "success" && state !== "failure" && state !== "error")
      throw unprocessable(req, "[State]: Required");
    const sha = resolveRef(repo.gitDir, req.params["sha"] as string);
    if (!sha) throw notFound(req);
    const status = model.addStatus(repo, requireUser(req), {
      sha,
      state,
      context: typeof body["context"] === "string" ? body["context"] : "default",
      description: typeof body["description"] === "string" ? body["description"] : null,
      targetUrl: typeof body["target_url"] === "string" ? body["target_url"] : null,
    });
    return ok(shape.status(req.base, repo, status), 201);
  });

  router.on("GET", `${api}/repos/:owner/:repo/commits/:ref/status`, (req) => {
    const repo = repoOf(req, { role: "read", permission: "statuses", level: "read" });
    const sha = resolveRef(repo.gitDir, req.params["ref"] as string);
    if (!sha) throw notFound(req);
    return ok(
      shape.combinedStatus(
        req.base,
        repo,
        sha,
        repo.statuses.filter((s) => s.sha === sha),
      ),
    );
  });

  router.on("GET", `${api}/repos/:owner/:repo/commits/:ref/statuses`, (req) => {
    const repo = repoOf(req, { role: "read", permission: "statuses", level: "read" });
    const sha = resolveRef(repo.gitDir, req.params["ref"] as string);
    if (!sha) throw notFound(req);
    const paged = page(req, repo.statuses.filter((s) => s.sha === sha).reverse(), "gitea");
    return ok(
      paged.items.map((s) => shape.status(req.base, repo, s)),
      200,
      paged.headers,
    );
  });

  router.on("POST", `${api}/repos/:owner/:repo/hooks`, (req) => {
    const repo = repoOf(req, { role: "admin", permission: "repository_hooks", level: "write" });
    const body = bodyObject(req);
    const config = (body["config"] ?? {}) as Record<string, unknown>;
    if (typeof config["url"] !== "string") throw unprocessable(req, "[Config]: Missing config option: url");
    const hook = {
      id: model.nextId(),
      url: config["url"],
      secret: typeof config["secret"] === "string" ? config["secret"] : "",
      events: stringList(body["events"]).length ? stringList(body["events"]) : ["push"],
      createdAt: model.stamp(),
    };
    repo.hooks.push(hook);
    return ok(shape.hook(req.base, repo, hook), 201);
  });
}

/** Gitea takes labels by id, or (since 1.21) by name; ones the repository lacks are dropped. */
function labelsByIdOrName(model: ForgeModel, repo: Repo, value: unknown): Label[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const found =
      typeof v === "number"
        ? repo.labels.find((l) => l.id === v)
        : typeof v === "string"
          ? model.label(repo, v)
          : undefined;
    return found ? [found] : [];
  });
}

function ok(body: unknown, status = 200, headers: Record<string, string> = {}): ApiResponse {
  return { status, body, headers };
}

function requireUser(req: ApiRequest): User {
  if (!req.user) throw new ApiError(401, { message: "token is required", url: `${req.base}/api/swagger` });
  return req.user;
}

function notFound(req: ApiRequest): ApiError {
  return new ApiError(404, {
    errors: null,
    message: "The target couldn't be found.",
    url: `${req.base}/api/swagger`,
  });
}

function unprocessable(req: ApiRequest, message: string): ApiError {
  return new ApiError(422, { message, url: `${req.base}/api/swagger` });
}

function issueOf(req: ApiRequest, repo: Repo): Issue {
  const issue = repo.issues.get(Number(req.params["number"]));
  if (!issue) throw notFound(req);
  return issue;
}

function pullOf(req: ApiRequest, repo: Repo): Issue {
  const issue = issueOf(req, repo);
  if (!issue.pull) throw notFound(req);
  return issue;
}
