import { authorizeGitHub, type Need, roleAtLeast } from "./access.ts";
import { followBranches, resolveRef } from "./git-backend.ts";
import * as shape from "./github-shapes.ts";
import {
  ApiError,
  type ApiRequest,
  type ApiResponse,
  bodyObject,
  page,
  queryValue,
  Router,
  stringList,
} from "./http.ts";
import type { ForgeModel, Issue, Repo, User } from "./model.ts";

/**
 * The subset of GitHub's REST API that gaffer uses, over the model: the authenticated user, the
 * repository, issues with their labels, assignees and comments, labels, pull requests and their
 * reviews, commit statuses, check runs, webhooks, and an App's installation and its tokens.
 */
export function githubRoutes(model: ForgeModel): Router {
  const router = new Router();
  const repoOf = (req: ApiRequest, need: Need) => authorizeGitHub(model, req, need);
  const read: Need = { role: "read", permission: "issues", level: "read" };
  const triage: Need = { role: "triage", permission: "issues", level: "write" };

  router.on("GET", "/user", (req) => {
    if (req.token?.grant.kind === "installation") throw notAccessible("integration");
    return ok(shape.privateUser(req.base, requireUser(req)));
  });

  router.on("GET", "/repos/:owner/:repo", (req) => {
    const repo = repoOf(req, { role: "read", permission: "metadata", level: "read" });
    const role = req.token?.grant.kind === "installation" ? "write" : model.role(repo, req.user);
    return ok(shape.repository(req.base, repo, role));
  });

  router.on("GET", "/repos/:owner/:repo/issues", (req) => {
    const repo = repoOf(req, read);
    const state = queryValue(req, "state") ?? "open";
    const labels = (queryValue(req, "labels") ?? "")
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const since = queryValue(req, "since");
    const assignee = queryValue(req, "assignee");
    const sort = queryValue(req, "sort") ?? "created";
    const direction = queryValue(req, "direction") ?? "desc";
    const key = (i: Issue) =>
      (sort === "updated"
        ? i.updatedAt
        : sort === "comments"
          ? String(i.comments.length).padStart(9, "0")
          : i.createdAt) + String(i.number).padStart(9, "0");
    const issues = [...repo.issues.values()]
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => labels.every((name) => i.labels.some((l) => l.name.toLowerCase() === name)))
      .filter((i) => since === undefined || i.updatedAt >= normalizeTime(since))
      .filter(
        (i) =>
          assignee === undefined ||
          (assignee === "none" ? i.assignees.length === 0 : i.assignees.some((a) => a.login === assignee)),
      )
      .sort((a, b) => (direction === "asc" ? key(a).localeCompare(key(b)) : key(b).localeCompare(key(a))));
    const paged = page(req, issues, "github");
    return ok(
      paged.items.map((i) => shape.issue(req.base, repo, i)),
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/issues", (req) => {
    const repo = repoOf(req, { ...read, level: "write" });
    const body = bodyObject(req);
    if (typeof body["title"] !== "string" || !body["title"])
      throw validation("Issue", "title", "missing_field");
    const canTriage = roleAtLeast(model.role(repo, req.user), "triage");
    const issue = model.createIssue(repo, requireUser(req), {
      title: body["title"],
      body: typeof body["body"] === "string" ? body["body"] : null,
      ...(canTriage && {
        labels: labelNames(body["labels"]),
        assignees: assignable(model, repo, stringList(body["assignees"])).map((u) => u.login),
      }),
    });
    return ok(shape.issue(req.base, repo, issue), 201);
  });

  router.on("GET", "/repos/:owner/:repo/issues/:number", (req) => {
    const repo = repoOf(req, read);
    return ok(shape.issue(req.base, repo, issueOf(repo, req)));
  });

  router.on("PATCH", "/repos/:owner/:repo/issues/:number", (req) => {
    const repo = repoOf(req, { ...read, level: "write" });
    const issue = issueOf(repo, req);
    const body = bodyObject(req);
    const sender = req.user;
    if (typeof body["title"] === "string" || body["body"] !== undefined) {
      model.edit(
        repo,
        issue,
        {
          ...(typeof body["title"] === "string" && { title: body["title"] }),
          ...(body["body"] !== undefined && { body: typeof body["body"] === "string" ? body["body"] : null }),
        },
        sender,
      );
    }
    if (body["state"] === "open" || body["state"] === "closed")
      model.setState(repo, issue, body["state"], sender);
    if (roleAtLeast(model.role(repo, req.user), "triage") || req.token?.grant.kind === "installation") {
      if (Array.isArray(body["labels"])) {
        const wanted = labelNames(body["labels"]);
        for (const label of [...issue.labels])
          if (!wanted.some((w) => w.toLowerCase() === label.name.toLowerCase()))
            model.removeLabel(repo, issue, label, sender);
        model.addLabels(repo, issue, wanted, sender);
      }
      if (Array.isArray(body["assignees"]))
        model.setAssignees(repo, issue, assignable(model, repo, stringList(body["assignees"])), sender);
    }
    return ok(shape.issue(req.base, repo, issue));
  });

  router.on("POST", "/repos/:owner/:repo/issues/:number/assignees", (req) => {
    const repo = repoOf(req, triage);
    const issue = issueOf(repo, req);
    const added = assignable(model, repo, stringList(bodyObject(req)["assignees"]));
    const all = [...issue.assignees, ...added.filter((u) => !issue.assignees.some((a) => a.id === u.id))];
    model.setAssignees(repo, issue, all.slice(0, 10), req.user);
    return ok(shape.issue(req.base, repo, issue), 201);
  });

  router.on("DELETE", "/repos/:owner/:repo/issues/:number/assignees", (req) => {
    const repo = repoOf(req, triage);
    const issue = issueOf(repo, req);
    const removed = new Set(stringList(bodyObject(req)["assignees"]));
    model.setAssignees(
      repo,
      issue,
      issue.assignees.filter((a) => !removed.has(a.login)),
      req.user,
    );
    return ok(shape.issue(req.base, repo, issue));
  });

  router.on("GET", "/repos/:owner/:repo/issues/:number/labels", (req) => {
    const repo = repoOf(req, read);
    const paged = page(req, issueOf(repo, req).labels, "github");
    return ok(
      paged.items.map((l) => shape.label(req.base, repo, l)),
      200,
      paged.headers,
    );
  });

  const addLabels = (replace: boolean) => (req: ApiRequest) => {
    const repo = repoOf(req, triage);
    const issue = issueOf(repo, req);
    const names = labelNames(Array.isArray(req.body) ? req.body : bodyObject(req)["labels"]);
    if (replace) for (const label of [...issue.labels]) model.removeLabel(repo, issue, label, req.user);
    model.addLabels(repo, issue, names, req.user);
    return ok(issue.labels.map((l) => shape.label(req.base, repo, l)));
  };
  router.on("POST", "/repos/:owner/:repo/issues/:number/labels", addLabels(false));
  router.on("PUT", "/repos/:owner/:repo/issues/:number/labels", addLabels(true));

  router.on("DELETE", "/repos/:owner/:repo/issues/:number/labels/:name", (req) => {
    const repo = repoOf(req, triage);
    const issue = issueOf(repo, req);
    const label = issue.labels.find(
      (l) => l.name.toLowerCase() === (req.params["name"] as string).toLowerCase(),
    );
    if (!label)
      throw new ApiError(404, { message: "Label does not exist", documentation_url: DOCS, status: "404" });
    model.removeLabel(repo, issue, label, req.user);
    return ok(issue.labels.map((l) => shape.label(req.base, repo, l)));
  });

  router.on("GET", "/repos/:owner/:repo/issues/:number/comments", (req) => {
    const repo = repoOf(req, read);
    const issue = issueOf(repo, req);
    const since = queryValue(req, "since");
    const comments = issue.comments.filter((c) => since === undefined || c.updatedAt >= normalizeTime(since));
    const paged = page(req, comments, "github");
    return ok(
      paged.items.map((c) => shape.comment(req.base, repo, issue, c)),
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/issues/:number/comments", (req) => {
    const repo = repoOf(req, { ...read, level: "write" });
    const issue = issueOf(repo, req);
    const body = bodyObject(req)["body"];
    if (typeof body !== "string" || !body) throw validation("IssueComment", "body", "missing_field");
    return ok(shape.comment(req.base, repo, issue, model.comment(repo, issue, requireUser(req), body)), 201);
  });

  router.on("GET", "/repos/:owner/:repo/labels", (req) => {
    const repo = repoOf(req, read);
    const paged = page(req, repo.labels, "github");
    return ok(
      paged.items.map((l) => shape.label(req.base, repo, l)),
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/labels", (req) => {
    const repo = repoOf(req, { ...triage, role: "write" });
    const body = bodyObject(req);
    if (typeof body["name"] !== "string" || !body["name"]) throw validation("Label", "name", "missing_field");
    if (model.label(repo, body["name"])) throw validation("Label", "name", "already_exists");
    const color = typeof body["color"] === "string" ? body["color"] : "ededed";
    const description = typeof body["description"] === "string" ? body["description"] : "";
    return ok(shape.label(req.base, repo, model.createLabel(repo, body["name"], color, description)), 201);
  });

  pullRoutes(router, model, repoOf);
  checkRoutes(router, model, repoOf);
  appRoutes(router, model);
  return router;
}

function pullRoutes(router: Router, model: ForgeModel, repoOf: (req: ApiRequest, need: Need) => Repo): void {
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
    return ok(shape.review(req.base, repo, issue, model.review(repo, issue, requireUser(req), text, state)));
  });
}

function checkRoutes(router: Router, model: ForgeModel, repoOf: (req: ApiRequest, need: Need) => Repo): void {
  router.on("POST", "/repos/:owner/:repo/statuses/:sha", (req) => {
    const repo = repoOf(req, { role: "write", permission: "statuses", level: "write" });
    const body = bodyObject(req);
    const state = body["state"];
    if (state !== "pending" && state !== "success" && state !== "failure" && state !== "error")
      throw validation("Status", "state", "invalid");
    const sha = resolveRef(repo.gitDir, req.params["sha"] as string);
    if (!sha)
      throw new ApiError(422, {
        message: `No commit found for SHA: ${req.params["sha"]}`,
        documentation_url: DOCS,
        status: "422",
      });
    const status = model.addStatus(repo, requireUser(req), {
      sha,
      state,
      context: typeof body["context"] === "string" ? body["context"] : "default",
      description: typeof body["description"] === "string" ? body["description"] : null,
      targetUrl: typeof body["target_url"] === "string" ? body["target_url"] : null,
    });
    return ok(shape.status(req.base, repo, status), 201);
  });

  router.on("GET", "/repos/:owner/:repo/commits/:ref/status", (req) => {
    const repo = repoOf(req, { role: "read", permission: "statuses", level: "read" });
    const sha = refOf(repo, req);
    return ok(
      shape.combinedStatus(
        req.base,
        repo,
        sha,
        repo.statuses.filter((s) => s.sha === sha),
      ),
    );
  });

  router.on("GET", "/repos/:owner/:repo/commits/:ref/statuses", (req) => {
    const repo = repoOf(req, { role: "read", permission: "statuses", level: "read" });
    const sha = refOf(repo, req);
    const paged = page(req, repo.statuses.filter((s) => s.sha === sha).reverse(), "github");
    return ok(
      paged.items.map((s) => shape.status(req.base, repo, s)),
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/check-runs", (req) => {
    const repo = repoOf(req, { role: "write", permission: "checks", level: "write" });
    const body = bodyObject(req);
    const sha = resolveRef(repo.gitDir, String(body["head_sha"] ?? ""));
    if (typeof body["name"] !== "string" || !sha)
      throw validation("CheckRun", sha ? "name" : "head_sha", "invalid");
    const output = (body["output"] ?? {}) as Record<string, unknown>;
    const conclusion = typeof body["conclusion"] === "string" ? body["conclusion"] : null;
    const now = model.stamp();
    const checkRun = {
      id: model.nextId(),
      sha,
      name: body["name"],
      status: conclusion
        ? "completed"
        : ((body["status"] as "queued" | "in_progress" | undefined) ?? "queued"),
      conclusion,
      title: typeof output["title"] === "string" ? output["title"] : null,
      summary: typeof output["summary"] === "string" ? output["summary"] : null,
      startedAt: now,
      completedAt: conclusion ? now : null,
    } as const;
    repo.checkRuns.push(checkRun);
    model.changed({
      repo,
      event: "check_run",
      action: checkRun.status === "completed" ? "completed" : "created",
      checkRun,
      sender: req.user,
    });
    return ok(shape.checkRun(req.base, repo, checkRun, appOf(model, repo)), 201);
  });

  router.on("GET", "/repos/:owner/:repo/commits/:ref/check-runs", (req) => {
    const repo = repoOf(req, { role: "read", permission: "checks", level: "read" });
    const sha = refOf(repo, req);
    const runs = repo.checkRuns.filter((c) => c.sha === sha);
    const paged = page(req, runs, "github");
    return ok(
      {
        total_count: runs.length,
        check_runs: paged.items.map((c) => shape.checkRun(req.base, repo, c, appOf(model, repo))),
      },
      200,
      paged.headers,
    );
  });

  router.on("POST", "/repos/:owner/:repo/hooks", (req) => {
    const repo = repoOf(req, { role: "admin", permission: "repository_hooks", level: "write" });
    const body = bodyObject(req);
    const config = (body["config"] ?? {}) as Record<string, unknown>;
    if (typeof config["url"] !== "string") throw validation("Hook", "url", "missing_field");
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

/** `GET /repos/{o}/{r}/installation` and `POST /app/installations/{id}/access_tokens`, for an App's JWT. */
function appRoutes(router: Router, model: ForgeModel): void {
  router.on("GET", "/repos/:owner/:repo/installation", (req) => {
    const app = jwtApp(req);
    const repo = model.repo(`${req.params["owner"]}/${req.params["repo"]}`);
    if (!repo?.installation || repo.installation.appId !== app.id)
      throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    return ok(shape.installation(req.base, repo, app));
  });

  router.on("POST", "/app/installations/:id/access_tokens", (req) => {
    const app = jwtApp(req);
    const repo = [...model.repos.values()].find(
      (r) => r.installation?.id === Number(req.params["id"]) && r.installation.appId === app.id,
    );
    if (!repo?.installation)
      throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    const value = `ghs_${model.nextId()}${"x".repeat(30)}`;
    model.tokens.set(value, {
      value,
      user: undefined,
      grant: { kind: "installation", permissions: repo.installation.permissions },
    });
    const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return ok(
      {
        token: value,
        expires_at: expires,
        permissions: repo.installation.permissions,
        repository_selection: "selected",
      },
      201,
    );
  });
}

/** The App whose JWT authenticated the request (checked by the server before routing). */
function jwtApp(req: ApiRequest): { id: number; slug: string } {
  const app = (req as ApiRequest & { app?: { id: number; slug: string } }).app;
  if (!app)
    throw new ApiError(401, {
      message: "A JSON web token could not be decoded",
      documentation_url: DOCS,
      status: "401",
    });
  return app;
}

function appOf(model: ForgeModel, repo: Repo): { id: number; slug: string } | undefined {
  return repo.installation ? model.apps.get(repo.installation.appId) : undefined;
}

function ok(body: unknown, status = 200, headers: Record<string, string> = {}): ApiResponse {
  return { status, body, headers };
}

function requireUser(req: ApiRequest): User {
  if (!req.user)
    throw new ApiError(401, { message: "Requires authentication", documentation_url: DOCS, status: "401" });
  return req.user;
}

function notAccessible(by: string): ApiError {
  return new ApiError(403, {
    message: `Resource not accessible by ${by}`,
    documentation_url: DOCS,
    status: "403",
  });
}

function issueOf(repo: Repo, req: ApiRequest): Issue {
  const issue = repo.issues.get(Number(req.params["number"]));
  if (!issue) throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
  return issue;
}

function pullOf(repo: Repo, req: ApiRequest): Issue {
  const issue = issueOf(repo, req);
  if (!issue.pull) throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
  return issue;
}

function refOf(repo: Repo, req: ApiRequest): string {
  const sha = resolveRef(repo.gitDir, req.params["ref"] as string);
  if (!sha)
    throw new ApiError(422, {
      message: `No commit found for SHA: ${req.params["ref"]}`,
      documentation_url: DOCS,
      status: "422",
    });
  return sha;
}

/** Users GitHub lets be assigned: collaborators with triage or more. Others are dropped silently. */
function assignable(model: ForgeModel, repo: Repo, logins: string[]): User[] {
  return logins.flatMap((login) => {
    const user = model.users.get(login);
    return user && roleAtLeast(model.role(repo, user), "triage") ? [user] : [];
  });
}

function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) =>
    typeof v === "string"
      ? [v]
      : typeof v === "object" && v && typeof (v as { name?: unknown }).name === "string"
        ? [(v as { name: string }).name]
        : [],
  );
}

function validation(resource: string, field: string, code: string): ApiError {
  return new ApiError(422, {
    message: "Validation Failed",
    errors: [{ resource, field, code }],
    documentation_url: DOCS,
    status: "422",
  });
}

/** `since` may be any ISO 8601 time; the model keeps seconds in UTC. */
function normalizeTime(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new ApiError(422, { message: "Invalid time", documentation_url: DOCS, status: "422" });
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const DOCS = "https://docs.github.com/rest";
