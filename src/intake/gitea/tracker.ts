import type { Issue as GiteaIssue } from "gitea-js";
import type { TrackerConfig } from "../../config/index.ts";
import { GafferError } from "../../errors.ts";
import { type ForgeContext, forgeError } from "../forge-errors.ts";
import { type ClientTuning, DEFAULT_TUNING, type ForgeIssue, type Tracker } from "../types.ts";
import { type GiteaClient, giteaClient, giteaFailure, giteaToken } from "./client.ts";
import { giteaPulls } from "./pulls.ts";

/** Gitea's page size limit (`MAX_RESPONSE_ITEMS` defaults to 50). */
const PAGE = 50;

/** A label gaffer creates gets this colour. */
const LABEL_COLOR = "#e4e669";

/**
 * Issues on Gitea or Forgejo (one API, v1) through gitea-js. Gitea can only replace an issue's
 * assignees, so assigning reads the list and writes it back with the login added: a claimant
 * that writes between the two can be overwritten, which the claim's re-reads then detect.
 */
export function giteaTracker(
  config: TrackerConfig,
  env: NodeJS.ProcessEnv = process.env,
  tuning: ClientTuning = DEFAULT_TUNING,
): Tracker {
  const [owner, repo] = config.repo.split("/") as [string, string];
  const tokenEnv = config.auth.kind === "token" ? config.auth.env : "";
  const context: ForgeContext = {
    where: `${config.repo} on ${new URL(config.url).host}`,
    credential: tokenEnv,
    hint: `give ${tokenEnv} a token with the write:issue, read:repository and read:user scopes; see docs/FORGES.md`,
  };
  let client: Promise<GiteaClient> | undefined;
  let login: Promise<string> | undefined;
  let labelIds: Map<string, number> | undefined;
  const run = async <T>(action: string, call: (api: GiteaClient) => Promise<T>): Promise<T> => {
    client ??= giteaClient(config, env, tuning);
    const api = await client;
    try {
      return await call(api);
    } catch (error) {
      throw forgeError(giteaFailure(error), action, context);
    }
  };
  const getIssue = (number: number) =>
    run(`read issue #${number}`, async (api) => {
      try {
        return (await api.repos.issueGetIssue(owner, repo, number)).data;
      } catch (error) {
        if (giteaFailure(error).status === 404) return undefined;
        throw error;
      }
    });
  const setAssignees = (number: number, change: (current: string[]) => string[]) =>
    run(`assign issue #${number}`, async (api) => {
      const current = ((await api.repos.issueGetIssue(owner, repo, number)).data.assignees ?? []).map(
        (u) => u.login ?? "",
      );
      const wanted = change(current);
      if (wanted.length !== current.length)
        await api.repos.issueEditIssue(owner, repo, number, { assignees: wanted });
    });
  /** The ids of labels by name, creating those the repository lacks. */
  const idsOf = (names: string[]) =>
    run("label issues", async (api) => {
      if (!labelIds) {
        labelIds = new Map();
        for (let page = 1; ; page++) {
          const { data } = await api.repos.issueListLabels(owner, repo, { page, limit: PAGE });
          for (const label of data) labelIds.set((label.name ?? "").toLowerCase(), label.id ?? 0);
          if (data.length < PAGE) break;
        }
      }
      const ids: number[] = [];
      for (const name of names) {
        let id = labelIds.get(name.toLowerCase());
        if (id === undefined) {
          id = (await api.repos.issueCreateLabel(owner, repo, { name, color: LABEL_COLOR })).data.id ?? 0;
          labelIds.set(name.toLowerCase(), id);
        }
        ids.push(id);
      }
      return ids;
    });

  const tracker: Tracker = {
    key: `gitea ${config.url} ${config.repo}`,
    where: context.where,
    claimant() {
      // Only an answer is remembered: a read the forge failed is asked again next time.
      login ??= (
        config.assignee !== undefined
          ? Promise.resolve(config.assignee)
          : run("read the token's user", async (api) => (await api.user.userGetCurrent()).data.login ?? "")
      ).catch((error: unknown) => {
        login = undefined;
        throw error;
      });
      return login;
    },
    listIssues: (query) =>
      run("list issues", async (api) => {
        const issues: ForgeIssue[] = [];
        for (let page = 1; ; page++) {
          const response = await api.repos.issueListIssues(owner, repo, {
            state: query.state,
            type: "issues",
            ...(query.label !== undefined && { labels: query.label }),
            ...(query.since !== undefined && { since: query.since }),
            page,
            limit: PAGE,
          });
          issues.push(...response.data.map(toIssue));
          if (!/rel="next"/.test(response.headers.get("link") ?? "")) break;
        }
        return issues.filter((issue) => !issue.isPull).sort((a, b) => a.number - b.number);
      }),
    getIssue: async (number) => {
      const issue = await getIssue(number);
      return issue && toIssue(issue);
    },
    assign: (number, who) =>
      setAssignees(number, (current) => (current.includes(who) ? current : [...current, who])),
    unassign: (number, who) => setAssignees(number, (current) => current.filter((login) => login !== who)),
    async addLabels(number, names) {
      const labels = await idsOf(names);
      await run(`label issue #${number}`, (api) => api.repos.issueAddLabel(owner, repo, number, { labels }));
    },
    async removeLabel(number, name) {
      const label = (await getIssue(number))?.labels?.find(
        (l) => l.name?.toLowerCase() === name.toLowerCase(),
      );
      if (label?.id !== undefined)
        await run(`unlabel issue #${number}`, (api) =>
          api.repos.issueRemoveLabel(owner, repo, number, label.id as number),
        );
    },
    check: () => checkGitea(tracker, owner, repo, context, run),
    gitAuthorization: async () =>
      `Basic ${Buffer.from(`gaffer:${giteaToken(config, env)}`).toString("base64")}`,
    ...giteaPulls(run, { owner, repo }, context.where),
  };
  return tracker;
}

/**
 * The token is accepted (`GET /user`, read:user); the repository is visible (read:repository);
 * labelling is allowed, probed harmlessly by creating a nameless label (403 naming the missing
 * write:issue scope, 422 otherwise); the user may write to the repository.
 */
async function checkGitea(
  tracker: Tracker,
  owner: string,
  repo: string,
  context: ForgeContext,
  run: <T>(action: string, call: (api: GiteaClient) => Promise<T>) => Promise<T>,
): Promise<string[]> {
  const user = (await run("read the token's user", (api) => api.user.userGetCurrent())).data.login ?? "";
  const lines = [`${context.credential} is accepted: ${user}`];
  const { data } = await run("read the repository", (api) => api.repos.repoGet(owner, repo));
  await run("label issues", async (api) => {
    try {
      await api.repos.issueCreateLabel(owner, repo, { name: "", color: "" });
    } catch (error) {
      if (giteaFailure(error).status !== 422) throw error;
    }
  });
  lines.push("scopes: read:user, read:repository, write:issue");
  if (!data.permissions?.push && !data.permissions?.admin) {
    throw new GafferError(
      "tracker-auth",
      `${user} (${context.credential}) has read access to ${context.where}: claims assign and label issues, which needs write`,
      "add the account as a collaborator with write access",
    );
  }
  lines.push(
    `role: ${data.permissions.admin ? "admin" : "write"}; claims assign ${await tracker.claimant()}`,
  );
  return lines;
}

function toIssue(issue: GiteaIssue): ForgeIssue {
  return {
    number: issue.number ?? 0,
    title: issue.title ?? "",
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
    labels: (issue.labels ?? []).map((label) => label.name ?? ""),
    assignees: (issue.assignees ?? []).map((user) => user.login ?? ""),
    url: issue.html_url ?? "",
    createdAt: issue.created_at ?? "",
    updatedAt: issue.updated_at ?? "",
    isPull: issue.pull_request !== undefined && issue.pull_request !== null,
  };
}
