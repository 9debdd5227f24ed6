import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { mayPush, roleAtLeast, verifyJwt } from "./access.ts";
import { followBranches, initBareRepo, runGit, serveGit } from "./git-backend.ts";
import { githubRoutes } from "./github.ts";
import { giteaRoutes } from "./gitea.ts";
import { ApiError, type ApiRequest, type ApiResponse, etagOf, type Router } from "./http.ts";
import {
  ForgeModel,
  type Issue,
  type Repo,
  type Role,
  type Token,
  type TokenGrant,
  type User,
} from "./model.ts";
import { Deliverer, type Delivery, type ForgeKind, payloadOf } from "./webhooks.ts";

/** A request the fake answered: for tests that count calls, 304s or retries. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** How the next requests are throttled: GitHub's primary or secondary limit, or a plain 429. */
export type Throttle = { style: "primary" | "secondary" | "429"; count: number; retryAfter: number };

export interface FakeForge {
  kind: ForgeKind;
  /** The server's address: GitHub's API root, or Gitea's web root (its API is under /api/v1). */
  url: string;
  model: ForgeModel;
  requests: LoggedRequest[];
  deliveries: Delivery[];
  addUser(login: string): User;
  /** A token for `login` with the given grant; returns its value. */
  addToken(login: string, grant: TokenGrant, value?: string): string;
  createRepo(fullName: string, options?: { private?: boolean; defaultBranch?: string }): Repo;
  addCollaborator(repo: Repo, login: string, role: Role): void;
  createIssue(
    repo: Repo,
    fields: { title: string; body?: string; labels?: string[]; assignees?: string[]; author?: string },
  ): Issue;
  /** Registers a GitHub App (its JWTs are checked against `publicKey`) and installs it on `repo`. */
  installApp(
    repo: Repo,
    app: { id: number; slug: string; publicKey: string },
    permissions: Record<string, "read" | "write">,
  ): number;
  addHook(repo: Repo, url: string, secret: string, events?: string[]): void;
  /** Protects `branch`: a pull request into it merges only with this many approving reviews of its head. */
  protectBranch(repo: Repo, branch: string, rule: { requiredApprovals: number }): void;
  /**
   * What CI posts for a commit: a completed check run with its job's log (GitHub), or a commit
   * status (Gitea, Forgejo). Webhooks go out as for any change.
   */
  ci(
    repo: Repo,
    sha: string,
    check: { name: string; state: "success" | "failure" | "pending"; summary?: string; logs?: string },
  ): void;
  /** A review of a pull request by `login`, on its head as the branch has it now (as a reviewer sees it). */
  review(
    repo: Repo,
    pull: Issue,
    login: string,
    body: string,
    state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED",
    comments?: { path: string; line: number | null; body: string }[],
  ): void;
  /** The next `count` API requests fail with `status` (500 by default). */
  fail(count: number, status?: number): void;
  throttle(throttle: Throttle): void;
  /**
   * Runs `action` once, just before the next API request matching `method` and `path` is
   * answered: a test puts another client's change exactly between two of gaffer's requests.
   */
  intercept(method: string, path: RegExp, action: () => void): void;
  /** Sends a delivery as the forge would, optionally signed with another secret. */
  deliver(
    url: string,
    event: string,
    payload: unknown,
    secret: string,
    options?: { signatureSecret?: string },
  ): Delivery;
  redeliver(id: string): Delivery;
  /** Waits for deliveries under way. */
  settled(): Promise<void>;
  /** A git remote URL for the repository, with `token` as the password. */
  gitUrl(repo: Repo, token?: string): string;
  /**
   * Pushes `refspecs` from a local repository over HTTP, as a client would. It runs git without
   * blocking: the fake answers in this same process.
   */
  push(dir: string, repo: Repo, token: string, ...refspecs: string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fake GitHub or Gitea/Forgejo on 127.0.0.1 (a random port): the API subset gaffer uses, with
 * pagination, ETags, rate-limit headers, throttling and faults on demand, signed webhook
 * deliveries, and real git repositories served by `git http-backend` under `<dir>/repos`.
 */
export async function startFakeForge(kind: ForgeKind, dir: string): Promise<FakeForge> {
  const model = new ForgeModel();
  const router = kind === "github" ? githubRoutes(model) : giteaRoutes(model);
  const deliverer = new Deliverer();
  const requests: LoggedRequest[] = [];
  const limits = new Map<string, number>();
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let throttled: Throttle = { style: "429", count: 0, retryAfter: 0 };
  let base = "";
  const intercepts: { method: string; path: RegExp; action: () => void }[] = [];

  model.onChange((change) => {
    for (const hook of change.repo.hooks) {
      const sent = payloadOf(kind, base, change);
      if (
        sent &&
        (hook.events.includes("*") || hook.events.includes(sent.event) || hook.events.includes(change.event))
      ) {
        deliverer.send(kind, hook, sent.event, sent.payload);
      }
    }
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const logs = /^\/_fake\/job-logs\/(\d+)$/.exec(url.pathname);
    if (logs) return serveJobLog(res, Number(logs[1]));
    const gitPath = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    const auth = authenticate(req);
    if (gitPath) return serveRepository(req, res, gitPath, auth);
    const respond = (status: number, body: unknown, headers: Record<string, string>) => {
      requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, status });
      const text = body === undefined ? "" : JSON.stringify(body);
      res.writeHead(status, {
        ...(text && { "content-type": "application/json; charset=utf-8" }),
        ...headers,
      });
      res.end(text);
    };
    const common = kind === "github" ? githubHeaders(auth.token) : {};
    if (auth.bad)
      return respond(
        401,
        kind === "github"
          ? { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" }
          : { message: "user does not exist [uid: 0, name: ]", url: `${base}/api/swagger` },
        common,
      );
    if (failures.count > 0) {
      failures.count--;
      return respond(failures.status, { message: "Server Error" }, common);
    }
    if (throttled.count > 0) {
      throttled.count--;
      return respond(...throttleAnswer(throttled, common));
    }
    const body = await readBody(req);
    const intercepted = intercepts.findIndex((i) => i.method === req.method && i.path.test(url.pathname));
    if (intercepted >= 0) intercepts.splice(intercepted, 1)[0]?.action();
    const apiReq: ApiRequest & { app?: { id: number; slug: string } } = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      params: {},
      token: auth.token,
      user: auth.token?.user,
      base,
      ...(auth.app && { app: auth.app }),
    };
    let answer: ApiResponse;
    try {
      if (body instanceof ApiError) throw body;
      answer = route(router, apiReq);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer = { status: error.status, body: error.body, headers: error.headers };
    }
    const headers = { ...common, ...answer.headers };
    if (kind === "github" && apiReq.method === "GET" && answer.status === 200) {
      const etag = etagOf(JSON.stringify(answer.body) + (auth.token?.value ?? ""));
      headers["etag"] = etag;
      if (req.headers["if-none-match"] === etag) return respond(304, undefined, headers);
    }
    if (kind === "github") spendRateLimit(auth.token, headers);
    respond(answer.status, answer.body, headers);
  }

  /** The blob a job's log link leads to: plain text, no credentials needed (as GitHub's). */
  function serveJobLog(res: ServerResponse, id: number): void {
    const run = [...model.repos.values()].flatMap((r) => r.checkRuns).find((c) => c.id === id);
    requests.push({ method: "GET", path: `/_fake/job-logs/${id}`, status: run?.logs ? 200 : 404 });
    if (!run?.logs) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(run.logs);
  }

  function serveRepository(
    req: IncomingMessage,
    res: ServerResponse,
    match: RegExpExecArray,
    auth: Auth,
  ): void {
    const repo = model.repo(`${match[1]}/${match[2]}`);
    const pushing =
      match[3] === "/git-receive-pack" ||
      new URL(req.url ?? "/", base).searchParams.get("service") === "git-receive-pack";
    const role =
      auth.token?.grant.kind === "installation" ? "write" : repo && model.role(repo, auth.token?.user);
    const allowed =
      repo && !auth.bad && roleAtLeast(role, pushing ? "write" : "read") && (!pushing || mayPush(auth.token));
    requests.push({ method: req.method ?? "GET", path: req.url ?? "", status: allowed ? 200 : 401 });
    if (!repo || !allowed) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="fake forge"' });
      res.end();
      return;
    }
    serveGit(req, res, repo.gitDir, match[3] as string, auth.token?.user?.login ?? "x-access-token");
  }

  interface Auth {
    token: Token | undefined;
    bad: boolean;
    app: { id: number; slug: string } | undefined;
  }

  function authenticate(req: IncomingMessage): Auth {
    const header = req.headers.authorization ?? "";
    const [scheme = "", value = ""] = header.split(/\s+/, 2);
    if (!header) return { token: undefined, bad: false, app: undefined };
    const secret =
      scheme.toLowerCase() === "basic"
        ? Buffer.from(value, "base64").toString().split(":").slice(1).join(":")
        : value;
    const token = model.tokens.get(secret);
    if (token) return { token, bad: false, app: undefined };
    const app = scheme.toLowerCase() === "bearer" ? verifyJwt(model, value) : undefined;
    return { token: undefined, bad: app === undefined, app };
  }

  function githubHeaders(token: Token | undefined): Record<string, string> {
    const headers: Record<string, string> = {
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
    };
    if (token?.grant.kind === "classic") {
      headers["x-oauth-scopes"] = token.grant.scopes.join(", ");
      headers["x-accepted-oauth-scopes"] = "repo";
    }
    return headers;
  }

  /** GitHub's primary limit, per token (60 an hour without one), not spent by a 304. */
  function spendRateLimit(token: Token | undefined, headers: Record<string, string>): void {
    const key = token?.value ?? "anonymous";
    const limit = token ? 5000 : 60;
    const used = (limits.get(key) ?? 0) + 1;
    limits.set(key, used);
    headers["x-ratelimit-limit"] = String(limit);
    headers["x-ratelimit-remaining"] = String(Math.max(0, limit - used));
    headers["x-ratelimit-used"] = String(used);
    headers["x-ratelimit-reset"] = String(Math.floor(Date.now() / 1000) + 3600);
    headers["x-ratelimit-resource"] = "core";
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reposDir = join(dir, "repos");
  mkdirSync(reposDir, { recursive: true });

  const forge: FakeForge = {
    kind,
    url: base,
    model,
    requests,
    deliveries: deliverer.deliveries,
    addUser: (login) => model.user(login),
    addToken(login, grant, value) {
      const token =
        value ??
        `${kind === "github" ? (grant.kind === "fine-grained" ? "github_pat_" : "ghp_") : ""}${login}${model.nextId()}${"0".repeat(24)}`;
      model.tokens.set(token, { value: token, user: model.user(login), grant });
      return token;
    },
    createRepo(fullName, options = {}) {
      const [ownerLogin = "", name = ""] = fullName.split("/");
      const gitDir = join(reposDir, `${ownerLogin}--${name}.git`);
      const branch = options.defaultBranch ?? "main";
      initBareRepo(gitDir, branch);
      const repo: Repo = {
        id: model.nextId(),
        owner: model.user(ownerLogin),
        name,
        private: options.private ?? false,
        defaultBranch: branch,
        gitDir,
        createdAt: model.stamp(),
        labels: [],
        issues: new Map(),
        statuses: [],
        checkRuns: [],
        hooks: [],
        collaborators: new Map(),
        protections: new Map(),
        installation: undefined,
      };
      model.repos.set(fullName.toLowerCase(), repo);
      return repo;
    },
    protectBranch: (repo, branch, rule) => void repo.protections.set(branch, rule),
    addCollaborator: (repo, login, role) => void repo.collaborators.set(model.user(login).login, role),
    createIssue: (repo, fields) =>
      model.createIssue(repo, model.user(fields.author ?? repo.owner.login), fields),
    installApp(repo, app, permissions) {
      model.apps.set(app.id, app);
      repo.installation = { id: model.nextId(), appId: app.id, permissions };
      return repo.installation.id;
    },
    addHook: (repo, url, secret, events = ["*"]) =>
      void repo.hooks.push({ id: model.nextId(), url, secret, events, createdAt: model.stamp() }),
    review(repo, pull, login, body, state, comments = []) {
      model.review(repo, followBranches(repo, pull), model.user(login), body, state, comments);
    },
    ci(repo, sha, check) {
      const ci = model.user("ci-bot");
      if (kind === "gitea") {
        model.addStatus(repo, ci, {
          sha,
          state: check.state,
          context: check.name,
          description: check.summary ?? null,
          targetUrl: null,
        });
        return;
      }
      const now = model.stamp();
      const checkRun = {
        id: model.nextId(),
        sha,
        name: check.name,
        status: check.state === "pending" ? ("in_progress" as const) : ("completed" as const),
        conclusion: check.state === "pending" ? null : check.state,
        title: check.summary ? (check.summary.split("\n")[0] ?? null) : null,
        summary: check.summary ?? null,
        text: null,
        logs: check.logs ?? null,
        startedAt: now,
        completedAt: check.state === "pending" ? null : now,
      };
      repo.checkRuns.push(checkRun);
      model.changed({ repo, event: "check_run", action: "completed", checkRun, sender: ci });
    },
    fail: (count, status = 500) => void (failures = { count, status }),
    throttle: (throttle) => void (throttled = { ...throttle }),
    intercept: (method, path, action) => void intercepts.push({ method, path, action }),
    deliver: (url, event, payload, secret, options) =>
      deliverer.send(kind, { url, secret }, event, payload, options),
    redeliver: (id) => deliverer.redeliver(id),
    settled: () => deliverer.settled(),
    gitUrl(repo, token) {
      const where = new URL(`${base}/${repo.owner.login}/${repo.name}.git`);
      if (token) {
        where.username =
          kind === "github" ? "x-access-token" : (model.tokens.get(token)?.user?.login ?? "git");
        where.password = token;
      }
      return where.toString();
    },
    async push(dir, repo, token, ...refspecs) {
      await runGit(dir, "push", "--quiet", forge.gitUrl(repo, token), ...refspecs);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return forge;
}

function route(router: Router, req: ApiRequest): ApiResponse {
  const found = router.match(req.method, req.path);
  if (found === undefined)
    throw new ApiError(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  if (found === "no-method") throw new ApiError(405, { message: "Method Not Allowed" });
  req.params = found.params;
  return found.handler(req);
}

function throttleAnswer(
  throttle: Throttle,
  common: Record<string, string>,
): [number, unknown, Record<string, string>] {
  const docs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
  if (throttle.style === "primary") {
    const reset = String(Math.floor(Date.now() / 1000) + throttle.retryAfter);
    return [
      403,
      { message: "API rate limit exceeded for user ID 1.", documentation_url: docs, status: "403" },
      {
        ...common,
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "5000",
        "x-ratelimit-reset": reset,
        "x-ratelimit-resource": "core",
      },
    ];
  }
  if (throttle.style === "secondary") {
    return [
      403,
      {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url: docs,
        status: "403",
      },
      { ...common, "retry-after": String(throttle.retryAfter) },
    ];
  }
  return [429, { message: "Too Many Requests" }, { ...common, "retry-after": String(throttle.retryAfter) }];
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return new ApiError(400, { message: "Problems parsing JSON" });
  }
}
