import { GafferError } from "../../errors.ts";
import type { ForgePull, Tracker } from "../types.ts";
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
>;

/**
 * Pull requests and comments on GitHub. A draft leaves draft only through GraphQL
 * (`markPullRequestReadyForReview`): REST cannot do it.
 */
export function githubPulls(run: Run, ref: { owner: string; repo: string }, where: string): PullMethods {
  return {
    closeIssue: (number) =>
      run(
        `close issue #${number}`,
        async (o) => void (await o.rest.issues.update({ ...ref, issue_number: number, state: "closed" })),
      ),
    listComments: (number) =>
      run(`read the comments on #${number}`, async (o) =>
        (await o.paginate(o.rest.issues.listComments, { ...ref, issue_number: number, per_page: 100 })).map(
          (c) => ({ id: c.id, body: c.body ?? "" }),
        ),
      ),
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
