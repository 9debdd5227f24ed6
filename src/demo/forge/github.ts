import { authorizeGitHub, type Need, roleAtLeast } from "./access.ts";
import { appRoutes, checkRoutes } from "./github-checks.ts";
import { DOCS, issueOf, normalizeTime, ok, requireUser, notAccessible, validation } from "./github-common.ts";
import { pullRoutes } from "./github-pulls.ts";
import * as shape from "./github-shapes.ts";
import { ApiError, type ApiRequest, bodyObject, page, queryValue, Router, stringList } from "./http.ts";
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
