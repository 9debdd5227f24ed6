import { resolveRef } from "./git-backend.ts";
import { ApiError, type ApiRequest, bodyObject, page, type Router, stringList } from "./http.ts";
import * as shape from "./github-pull-shapes.ts";
import { DOCS, ok, refOf, type RepoOf, requireUser, validation } from "./github-common.ts";
import type { ForgeModel, Repo } from "./model.ts";

/** GitHub's commit statuses, check runs and webhooks, and an App's installation and tokens. */
export function checkRoutes(router: Router, model: ForgeModel, repoOf: RepoOf): void {
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
      text: typeof output["text"] === "string" ? output["text"] : null,
      logs: null,
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

  router.on("GET", "/repos/:owner/:repo/actions/jobs/:job/logs", (req) => {
    const repo = repoOf(req, { role: "read", permission: "actions", level: "read" });
    const run = repo.checkRuns.find((c) => c.id === Number(req.params["job"]));
    if (!run?.logs) throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    // GitHub answers with a short-lived link to the log's blob.
    return { status: 302, headers: { location: `${req.base}/_fake/job-logs/${run.id}` } };
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
export function appRoutes(router: Router, model: ForgeModel): void {
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
