import type { TrackerConfig } from "../../config/index.ts";
import { GafferError } from "../../errors.ts";
import { type ForgeContext, forgeError } from "../forge-errors.ts";
import { DEFAULT_TUNING, type ClientTuning, type ForgeIssue, type Tracker } from "../types.ts";
import { type GitHubClient, githubClient, githubFailure } from "./client.ts";
import { githubPulls } from "./pulls.ts";

/**
 * Issues on GitHub (or GitHub Enterprise Server) through Octokit. Assignees are added and removed
 * one by one, so a claim never overwrites another claimant's.
 */
export function githubTracker(
  config: TrackerConfig,
  env: NodeJS.ProcessEnv = process.env,
  tuning: ClientTuning = DEFAULT_TUNING,
): Tracker {
  const [owner, repo] = config.repo.split("/") as [string, string];
  const host = new URL(config.url).host.replace(/^api\./, "");
  const auth = config.auth;
  const context: ForgeContext = {
    where: `${config.repo} on ${host}`,
    credential: auth.kind === "token" ? auth.env : `the GitHub App ${auth.appId}`,
    hint:
      auth.kind === "token"
        ? `give ${auth.env} a token with the repo scope (classic) or Issues: read and write (fine-grained); see docs/FORGES.md`
        : "grant the App Issues: read and write and install it on the repository; see docs/FORGES.md",
  };
  let client: Promise<GitHubClient> | undefined;
  let login: Promise<string> | undefined;
  /**
   * The last answer to each issue listing, by its ETag: asked again with `If-None-Match`, an
   * unchanged listing is a 304, which GitHub does not count against the rate limit.
   */
  const listed = new Map<string, { etag: string; issues: ForgeIssue[] }>();
  const run = async <T>(action: string, call: (octokit: GitHubClient) => Promise<T>): Promise<T> => {
    client ??= githubClient(config, env, tuning, context);
    const octokit = await client;
    try {
      return await call(octokit);
    } catch (error) {
      throw forgeError(githubFailure(error), action, context);
    }
  };
  const ref = { owner, repo };

  const tracker: Tracker = {
    key: `github ${config.url} ${config.repo}`,
    where: context.where,
    claimant() {
      // Only an answer is remembered: a read the forge failed is asked again next time.
      login ??= (
        config.assignee !== undefined
          ? Promise.resolve(config.assignee)
          : run("read the token's user", async (o) => (await o.rest.users.getAuthenticated()).data.login)
      ).catch((error: unknown) => {
        login = undefined;
        throw error;
      });
      return login;
    },
    listIssues: (query) =>
      run("list issues", async (o) => {
        const params = {
          ...ref,
          state: query.state,
          ...(query.label !== undefined && { labels: query.label }),
          ...(query.since !== undefined && { since: query.since }),
          sort: "updated" as const,
          direction: "asc" as const,
          per_page: 100,
        };
        const key = JSON.stringify(params);
        const known = listed.get(key);
        const issues: ForgeIssue[] = [];
        let etag: string | undefined;
        try {
          const pages = o.paginate.iterator(o.rest.issues.listForRepo, {
            ...params,
            ...(known && { headers: { "if-none-match": known.etag } }),
          });
          for await (const response of pages) {
            etag ??= response.headers.etag;
            issues.push(...response.data.map(toIssue));
          }
        } catch (error) {
          if (known && githubFailure(error).status === 304) return known.issues;
          throw error;
        }
        const open = issues.filter((issue) => !issue.isPull);
        if (etag !== undefined) listed.set(key, { etag, issues: open });
        return open;
      }),
    getIssue: (number) =>
      run(`read issue #${number}`, async (o) => {
        try {
          return toIssue((await o.rest.issues.get({ ...ref, issue_number: number })).data);
        } catch (error) {
          if (githubFailure(error).status === 404) return undefined;
          throw error;
        }
      }),
    assign: (number, who) =>
      run(
        `assign issue #${number}`,
        async (o) =>
          void (await o.rest.issues.addAssignees({ ...ref, issue_number: number, assignees: [who] })),
      ),
    unassign: (number, who) =>
      run(
        `unassign issue #${number}`,
        async (o) =>
          void (await o.rest.issues.removeAssignees({ ...ref, issue_number: number, assignees: [who] })),
      ),
    addLabels: (number, names) =>
      run(
        `label issue #${number}`,
        async (o) => void (await o.rest.issues.addLabels({ ...ref, issue_number: number, labels: names })),
      ),
    removeLabel: (number, name) =>
      run(`unlabel issue #${number}`, async (o) => {
        try {
          await o.rest.issues.removeLabel({ ...ref, issue_number: number, name });
        } catch (error) {
          if (githubFailure(error).status !== 404) throw error;
        }
      }),
    check: () => checkGitHub(tracker, config, context, run),
    ...githubPulls(run, ref, context.where),
  };
  return tracker;
}

type Run = <T>(action: string, call: (octokit: GitHubClient) => Promise<T>) => Promise<T>;

/**
 * A token: accepted (`GET /user`), its classic scopes (`x-oauth-scopes`) or, for a fine-grained
 * token whose permissions cannot be read, a harmless probe (creating a nameless label: refused
 * with 403 without Issues: write, with 422 otherwise); the user's role allows assigning and
 * labelling. An App: installed, and its installation token's permissions.
 */
async function checkGitHub(
  tracker: Tracker,
  config: TrackerConfig,
  context: ForgeContext,
  run: Run,
): Promise<string[]> {
  const [owner, repo] = config.repo.split("/") as [string, string];
  const lines: string[] = [];
  if (config.auth.kind === "app") {
    const permissions = await run(
      "mint an installation token",
      async (o) =>
        ((await o.auth({ type: "installation" })) as { permissions?: Record<string, string> }).permissions ??
        {},
    );
    lines.push(`${context.credential} is installed on ${context.where}`);
    if (permissions["issues"] !== "write") {
      throw new GafferError(
        "tracker-auth",
        `${context.credential} lacks Issues: write on ${context.where} (it has: ${describe(permissions)})`,
        "grant the App Issues: read and write, then accept the new permissions on its installation",
      );
    }
    lines.push(`permissions: ${describe(permissions)}`);
    await run("read the repository", (o) => o.rest.repos.get({ owner, repo }));
    lines.push(`claims assign ${config.assignee}`);
    return lines;
  }
  const user = await run("read the token's user", (o) => o.rest.users.getAuthenticated());
  lines.push(`${context.credential} is accepted: ${user.data.login}`);
  const scopes = user.headers["x-oauth-scopes"];
  const held =
    typeof scopes === "string"
      ? scopes
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const lacksRepo = () =>
    new GafferError(
      "tracker-auth",
      `${context.credential} lacks the repo scope that ${context.where} needs to assign and label issues (it has: ${held?.join(", ") || "no scopes"})`,
      "edit the token and tick repo (public_repo is enough for a public repository)",
    );
  // Checked before the repository is read: without the scope, GitHub hides a private repository.
  if (held && !held.includes("repo") && !held.includes("public_repo")) throw lacksRepo();
  const { data } = await run("read the repository", (o) => o.rest.repos.get({ owner, repo }));
  if (held) {
    if (!held.includes("repo") && data.private) throw lacksRepo();
    lines.push(`scopes: ${held.join(", ")}`);
  } else {
    await run("label issues", async (o) => {
      try {
        await o.rest.issues.createLabel({ owner, repo, name: "" });
      } catch (error) {
        if (githubFailure(error).status !== 422) throw error;
      }
    });
    lines.push("fine-grained token: Issues: write");
  }
  const role = data.permissions;
  if (!role?.triage && !role?.push && !role?.maintain && !role?.admin) {
    throw new GafferError(
      "tracker-auth",
      `${user.data.login} (${context.credential}) has read access to ${context.where}: claims assign and label issues, which needs triage or write`,
      "add the account as a collaborator with the triage or write role",
    );
  }
  lines.push(
    `role: ${role.admin ? "admin" : role.maintain ? "maintain" : role.push ? "write" : "triage"}; claims assign ${await tracker.claimant()}`,
  );
  return lines;
}

function describe(permissions: Record<string, string>): string {
  return (
    Object.entries(permissions)
      .map(([name, level]) => `${name}: ${level}`)
      .join(", ") || "none"
  );
}

interface RestIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  labels: (string | { name?: string })[];
  assignees?: { login: string }[] | null;
  html_url: string;
  created_at: string;
  updated_at: string;
  pull_request?: unknown;
}

function toIssue(issue: RestIssue): ForgeIssue {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
    labels: issue.labels.flatMap((label) =>
      typeof label === "string" ? [label] : label.name ? [label.name] : [],
    ),
    assignees: (issue.assignees ?? []).map((a) => a.login),
    url: issue.html_url,
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    isPull: issue.pull_request !== undefined && issue.pull_request !== null,
  };
}
