import type { PullRequest } from "gitea-js";
import { GafferError } from "../../errors.ts";
import type { ForgePull, Tracker } from "../types.ts";
import { type GiteaClient, giteaFailure } from "./client.ts";

type Run = <T>(action: string, call: (api: GiteaClient) => Promise<T>) => Promise<T>;

type PullMethods = Pick<
  Tracker,
  | "closeIssue"
  | "listComments"
  | "comment"
  | "repository"
  | "findPull"
  | "openDraftPull"
  | "editPullBody"
  | "getPull"
  | "markReady"
  | "mergePull"
>;

/** Gitea's page size limit (`MAX_RESPONSE_ITEMS` defaults to 50). */
const PAGE = 50;

/** Gitea and Forgejo mark a draft by its title: `WIP:` (or `[WIP]`) in front. */
const DRAFT_PREFIX = "WIP: ";
const DRAFT_TITLE = /^\s*(WIP:|\[WIP\])\s*/i;

/** Pull requests and comments on Gitea or Forgejo (API v1). */
export function giteaPulls(run: Run, ref: { owner: string; repo: string }, where: string): PullMethods {
  const { owner, repo } = ref;
  const pages = async <T>(read: (page: number) => Promise<T[]>): Promise<T[]> => {
    const all: T[] = [];
    for (let page = 1; ; page++) {
      const data = await read(page);
      all.push(...data);
      if (data.length < PAGE) return all;
    }
  };
  const getPull = (number: number) =>
    run(`read pull request #${number}`, async (api) => {
      try {
        return toPull((await api.repos.repoGetPullRequest(owner, repo, number)).data);
      } catch (error) {
        if (giteaFailure(error).status === 404) return undefined;
        throw error;
      }
    });
  return {
    closeIssue: (number) =>
      run(
        `close issue #${number}`,
        async (api) => void (await api.repos.issueEditIssue(owner, repo, number, { state: "closed" })),
      ),
    listComments: (number) =>
      run(`read the comments on #${number}`, async (api) =>
        (await api.repos.issueGetComments(owner, repo, number)).data.map((c) => ({
          id: c.id ?? 0,
          body: c.body ?? "",
        })),
      ),
    comment: (number, body) =>
      run(
        `comment on #${number}`,
        async (api) => void (await api.repos.issueCreateComment(owner, repo, number, { body })),
      ),
    repository: () =>
      run("read the repository", async (api) => {
        const { data } = await api.repos.repoGet(owner, repo);
        return { cloneUrl: data.clone_url ?? "", defaultBranch: data.default_branch ?? "main" };
      }),
    findPull: (head) =>
      run(`find the pull request for ${head}`, async (api) => {
        const open = await pages(
          async (page) =>
            (await api.repos.repoListPullRequests(owner, repo, { state: "open", page, limit: PAGE })).data,
        );
        const found = open.find((pull) => pull.head?.ref === head);
        return found && toPull(found);
      }),
    openDraftPull: (pull) =>
      run(`open a pull request for ${pull.head}`, async (api) =>
        toPull(
          (
            await api.repos.repoCreatePullRequest(owner, repo, {
              ...pull,
              title: `${DRAFT_PREFIX}${pull.title}`,
            })
          ).data,
        ),
      ),
    editPullBody: (number, body) =>
      run(
        `edit pull request #${number}`,
        async (api) => void (await api.repos.repoEditPullRequest(owner, repo, number, { body })),
      ),
    getPull,
    markReady: (pull) =>
      run(`mark pull request #${pull.number} ready for review`, async (api) => {
        const { data } = await api.repos.repoGetPullRequest(owner, repo, pull.number);
        const title = data.title ?? "";
        if (DRAFT_TITLE.test(title))
          await api.repos.repoEditPullRequest(owner, repo, pull.number, {
            title: title.replace(DRAFT_TITLE, ""),
          });
      }),
    mergePull: (number, merge) =>
      run(`merge pull request #${number}`, async (api) => {
        try {
          await api.repos.repoMergePullRequest(owner, repo, number, {
            Do: "merge",
            head_commit_id: merge.sha,
            MergeTitleField: merge.title,
            MergeMessageField: merge.message,
          });
        } catch (error) {
          const failure = giteaFailure(error);
          if (failure.status !== 405 && failure.status !== 409) throw error;
          throw new GafferError(
            "run-state",
            `${where} refused to merge pull request #${number}: ${failure.message}`,
            "satisfy the branch's protection (reviews, checks) on the forge, then merge again",
          );
        }
        return (await api.repos.repoGetPullRequest(owner, repo, number)).data.merge_commit_sha ?? "";
      }),
  };
}

function toPull(pull: PullRequest): ForgePull {
  return {
    number: pull.number ?? 0,
    url: pull.html_url ?? "",
    head: pull.head?.ref ?? "",
    headSha: pull.head?.sha ?? "",
    base: pull.base?.ref ?? "",
    draft: DRAFT_TITLE.test(pull.title ?? ""),
    state: pull.state === "closed" ? "closed" : "open",
    merged: pull.merged === true,
  };
}
