import { GafferError } from "../../errors.ts";
import type {
  ForgeCheck,
  ForgePull,
  ForgePullState,
  ForgeReview,
  PullConversation,
  Tracker,
} from "../types.ts";
import { type GitHubClient, githubFailure } from "./client.ts";

type Run = <T>(action: string, call: (octokit: GitHubClient) => Promise<T>) => Promise<T>;

type PullMethods = Pick<
  Tracker,
  | "closeIssue"
  | "listComments"
  | "comment"
  | "repository"
  | "gitAuthorization"
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

/**
 * Pull requests and comments on GitHub. A draft leaves draft only through GraphQL
 * (`markPullRequestReadyForReview`): REST cannot do it.
 */
export function githubPulls(run: Run, ref: { owner: string; repo: string }, where: string): PullMethods {
  /** The last open-pulls listing by its ETag: asked again with If-None-Match, an unchanged one is a free 304. */
  let listed: { etag: string; pulls: ForgePullState[] } | undefined;
  return {
    closeIssue: (number) =>
      run(
        `close issue #${number}`,
        async (o) => void (await o.rest.issues.update({ ...ref, issue_number: number, state: "closed" })),
      ),
    listComments: (number) =>
      run(`read the comments on #${number}`, async (o) =>
        (await o.paginate(o.rest.issues.listComments, { ...ref, issue_number: number, per_page: 100 })).map(
          (c) => ({ id: c.id, body: c.body ?? "", author: c.user?.login ?? "", url: c.html_url }),
        ),
      ),
    listOpenPulls: () =>
      run("list the open pull requests", async (o) => {
        const pulls: ForgePullState[] = [];
        let etag: string | undefined;
        try {
          const pages = o.paginate.iterator(o.rest.pulls.list, {
            ...ref,
            state: "open",
            per_page: 100,
            ...(listed && { headers: { "if-none-match": listed.etag } }),
          });
          for await (const response of pages) {
            etag ??= response.headers.etag;
            pulls.push(...response.data.map((p) => ({ ...toPull(p), updatedAt: p.updated_at })));
          }
        } catch (error) {
          if (listed && githubFailure(error).status === 304) return listed.pulls;
          throw error;
        }
        listed = etag === undefined ? undefined : { etag, pulls };
        return pulls;
      }),
    listChecks: (sha) =>
      run(`read the checks of ${sha.slice(0, 12)}`, async (o) => {
        const runs = await o.paginate(o.rest.checks.listForRef, { ...ref, ref: sha, per_page: 100 });
        const combined = await o.rest.repos.getCombinedStatusForRef({ ...ref, ref: sha, per_page: 100 });
        // Newest first: a re-run replaces the check of the same name.
        runs.sort((a, b) => b.id - a.id);
        const checks: ForgeCheck[] = runs.map((c) => ({
          name: c.name,
          state:
            c.status !== "completed"
              ? "pending"
              : ["success", "neutral", "skipped"].includes(c.conclusion ?? "")
                ? "success"
                : "failure",
          summary: [c.output.title, c.output.summary, c.output.text].filter(Boolean).join("\n\n"),
          url: c.details_url ?? c.html_url ?? null,
          checkRunId: c.id,
        }));
        for (const status of combined.data.statuses) {
          checks.push({
            name: status.context,
            state:
              status.state === "success" ? "success" : status.state === "pending" ? "pending" : "failure",
            summary: status.description ?? "",
            url: status.target_url ?? null,
          });
        }
        return latestByName(checks);
      }),
    checkLog: (check) =>
      check.checkRunId === undefined
        ? Promise.resolve(undefined)
        : run(`read the log of check ${check.name}`, async (o) => {
            try {
              const { data } = await o.rest.actions.downloadJobLogsForWorkflowRun({
                ...ref,
                job_id: check.checkRunId as number,
                request: { retries: 0 },
              });
              return typeof data === "string" ? data : undefined;
            } catch (error) {
              // Not an Actions job (another app's check run), or its logs expired; a rate limit is not.
              const failure = githubFailure(error);
              if (failure.throttled) throw error;
              if (failure.status === 404 || failure.status === 410 || failure.status === 403)
                return undefined;
              throw error;
            }
          }),
    pullConversation: (number) =>
      run(`read the reviews of pull request #${number}`, async (o): Promise<PullConversation> => {
        const reviews = await o.paginate(o.rest.pulls.listReviews, {
          ...ref,
          pull_number: number,
          per_page: 100,
        });
        const lines = await o.paginate(o.rest.pulls.listReviewComments, {
          ...ref,
          pull_number: number,
          per_page: 100,
        });
        const comments = await o.paginate(o.rest.issues.listComments, {
          ...ref,
          issue_number: number,
          per_page: 100,
        });
        return {
          reviews: reviews.map((r) => ({
            id: r.id,
            author: r.user?.login ?? "",
            state: reviewState(r.state),
            body: r.body ?? "",
            commit: r.commit_id ?? "",
            url: r.html_url,
          })),
          reviewComments: lines.map((c) => ({
            id: c.id,
            author: c.user?.login ?? "",
            body: c.body,
            path: c.path,
            line: c.line ?? c.original_line ?? null,
            reviewId: c.pull_request_review_id ?? null,
            inReplyTo: c.in_reply_to_id ?? null,
            url: c.html_url,
          })),
          comments: comments.map((c) => ({
            id: c.id,
            body: c.body ?? "",
            author: c.user?.login ?? "",
            url: c.html_url,
          })),
        };
      }),
    comment: (number, body) =>
      run(
        `comment on #${number}`,
        async (o) => void (await o.rest.issues.createComment({ ...ref, issue_number: number, body })),
      ),
    repository: () =>
      run("read the repository", async (o) => {
        const { data } = await o.rest.repos.get(ref);
        return { cloneUrl: data.clone_url, defaultBranch: data.default_branch };
      }),
    gitAuthorization: () =>
      run("read the credentials", async (o) => {
        const { token } = (await o.auth({ type: "installation" })) as { token: string };
        return `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
      }),
    findPull: (head) =>
      run(`find the pull request for ${head}`, async (o) => {
        const { data } = await o.rest.pulls.list({ ...ref, head: `${ref.owner}:${head}`, state: "open" });
        const found = data.find((pull) => pull.head.ref === head);
        return found && toPull(found);
      }),
    openDraftPull: (pull) =>
      run(`open a pull request for ${pull.head}`, async (o) =>
        toPull((await o.rest.pulls.create({ ...ref, ...pull, draft: true })).data),
      ),
    editPullBody: (number, body) =>
      run(
        `edit pull request #${number}`,
        async (o) => void (await o.rest.pulls.update({ ...ref, pull_number: number, body })),
      ),
    getPull: (number) =>
      run(`read pull request #${number}`, async (o) => {
        try {
          return toPull((await o.rest.pulls.get({ ...ref, pull_number: number })).data);
        } catch (error) {
          if (githubFailure(error).status === 404) return undefined;
          throw error;
        }
      }),
    markReady: (pull) =>
      run(`mark pull request #${pull.number} ready for review`, async (o) => {
        const { data } = await o.rest.pulls.get({ ...ref, pull_number: pull.number });
        if (!data.draft) return;
        await o.graphql(
          "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { clientMutationId } }",
          { id: data.node_id },
        );
      }),
    mergePull: (number, merge) =>
      run(`merge pull request #${number}`, async (o) => {
        try {
          const { data } = await o.rest.pulls.merge({
            ...ref,
            pull_number: number,
            sha: merge.sha,
            merge_method: "merge",
            commit_title: merge.title,
            commit_message: merge.message,
            // A refusal (405: protection, draft; 409: head moved) stands; asking again changes nothing.
            request: { retries: 0 },
          });
          return data.sha;
        } catch (error) {
          const failure = githubFailure(error);
          if (failure.status !== 405 && failure.status !== 409) throw error;
          throw new GafferError(
            "run-state",
            `${where} refused to merge pull request #${number}: ${failure.message}`,
            "satisfy the branch's protection (reviews, checks) on the forge, then merge again",
          );
        }
      }),
  };
}

function reviewState(state: string): ForgeReview["state"] {
  if (state === "APPROVED") return "approved";
  if (state === "CHANGES_REQUESTED") return "changes-requested";
  if (state === "COMMENTED") return "commented";
  return "other";
}

/** The latest check of each name (a re-run, or a status posted again, replaces the earlier one). */
export function latestByName(checks: ForgeCheck[]): ForgeCheck[] {
  const latest = new Map<string, ForgeCheck>();
  for (const check of checks) if (!latest.has(check.name)) latest.set(check.name, check);
  return [...latest.values()];
}

interface RestPull {
  number: number;
  html_url: string;
  head: { ref: string; sha: string };
  base: { ref: string };
  draft?: boolean | undefined;
  state: string;
  merged_at: string | null;
}

function toPull(pull: RestPull): ForgePull {
  return {
    number: pull.number,
    url: pull.html_url,
    head: pull.head.ref,
    headSha: pull.head.sha,
    base: pull.base.ref,
    draft: pull.draft === true,
    state: pull.state === "closed" ? "closed" : "open",
    merged: pull.merged_at !== null,
  };
}
