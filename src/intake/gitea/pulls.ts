import type { PullRequest } from "gitea-js";
import { GafferError } from "../../errors.ts";
import type { ForgeCheck, ForgePull, ForgePullState, ForgeReview, Tracker } from "../types.ts";
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
  | "listOpenPulls"
  | "listChecks"
  | "checkLog"
  | "pullConversation"
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
          author: c.user?.login ?? "",
          url: c.html_url ?? "",
        })),
      ),
    listOpenPulls: () =>
      run("list the open pull requests", async (api) =>
        (
          await pages(
            async (page) =>
              (await api.repos.repoListPullRequests(owner, repo, { state: "open", page, limit: PAGE })).data,
          )
        ).map((p): ForgePullState => ({ ...toPull(p), updatedAt: p.updated_at ?? "" })),
      ),
    listChecks: (sha) =>
      run(`read the checks of ${sha.slice(0, 12)}`, async (api) => {
        const { data } = await api.repos.repoGetCombinedStatusByRef(owner, repo, sha, { limit: PAGE });
        return (data.statuses ?? []).map((status): ForgeCheck => ({
          name: status.context ?? "",
          state:
            status.status === "success"
              ? "success"
              : status.status === "pending" || status.status === "warning"
                ? "pending"
                : "failure",
          summary: status.description ?? "",
          url: status.target_url || null,
        }));
      }),
    // Gitea and Forgejo have no API for an Actions job's log: a status's description is all there is.
    checkLog: () => Promise.resolve(undefined),
    pullConversation: (number) =>
      run(`read the reviews of pull request #${number}`, async (api) => {
        const reviews = (await api.repos.repoListPullReviews(owner, repo, number)).data;
        const reviewComments = [];
        for (const review of reviews.filter((r) => (r.comments_count ?? 0) > 0)) {
          const { data } = await api.repos.repoGetPullReviewComments(owner, repo, number, review.id ?? 0);
          reviewComments.push(
            ...data.map((c) => ({
              id: c.id ?? 0,
              author: c.user?.login ?? "",
              body: c.body ?? "",
              path: c.path ?? "",
              line: c.position || c.original_position || null,
              reviewId: c.pull_request_review_id ?? null,
              inReplyTo: null,
              url: c.html_url ?? "",
            })),
          );
        }
        const comments = (await api.repos.issueGetComments(owner, repo, number)).data;
        return {
          reviews: reviews.map((r) => ({
            id: r.id ?? 0,
            author: r.user?.login ?? "",
            state: reviewState(r.state ?? ""),
            body: r.body ?? "",
            commit: r.commit_id ?? "",
            url: r.html_url ?? "",
          })),
          reviewComments,
          comments: comments.map((c) => ({
            id: c.id ?? 0,
            body: c.body ?? "",
            author: c.user?.login ?? "",
            url: c.html_url ?? "",
          })),
        };
      }),
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

function reviewState(state: string): ForgeReview["state"] {
  if (state === "APPROVED") return "approved";
  if (state === "REQUEST_CHANGES") return "changes-requested";
  if (state === "COMMENT") return "commented";
  return "other";
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
