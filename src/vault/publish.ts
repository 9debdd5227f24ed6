import { GafferError, messageOf } from "../errors.ts";
import type { ForgePull, Tracker } from "../intake/index.ts";
import {
  appendEvent,
  EVENTS,
  eventsOfKind,
  findProposal,
  getItem,
  listEvents,
  listReviews,
  totalUsage,
  trackerLinkOf,
  watchPull,
} from "../store/index.ts";
import { forgeGitEnv, hardenedGit } from "../workspace/index.ts";
import type { VaultContext } from "./context.ts";
import { issueComment, publishMarker, pullBody, pullTitle } from "./pull-body.ts";
import type { ActionRequest, ActionResult, PublishTarget } from "./request.ts";
import { checkProposalHead } from "./requests.ts";

/**
 * Publishing a run's proposal: gaffer pushes the branch with its own credentials (handed to git
 * through its environment, never its command line, and never to an agent), then opens a draft pull
 * request carrying the evidence, then tells the issue. Every step first looks for what an earlier,
 * interrupted execution did — the pull request by its head branch, the comment by its marker — so
 * running it again finishes the job without doing anything twice. Publishing a revised proposal
 * pushes the new head to the same branch and brings the pull request's body up to date.
 */
export async function executePublish(
  ctx: VaultContext,
  request: ActionRequest,
  target: PublishTarget,
): Promise<Pick<ActionResult, "exit_code" | "logs" | "publish">> {
  const tracker = forgeOf(ctx);
  await checkProposalHead(ctx, target.run, target.head, `gaffer publish ${target.run}`);
  const scope = { runId: target.run, itemId: target.item };
  const remote = await pushProposal(ctx, tracker, target);
  await appendEvent(ctx.db, scope, EVENTS.publishPushed, {
    action: request.id,
    branch: target.branch,
    head: target.head,
    remote,
  });
  const existing = await tracker.findPull(target.branch);
  const wanted = await newPull(ctx, target);
  // A pull request found open proposes an earlier revision, or this one after an interruption:
  // either way its body is brought up to this proposal's evidence.
  if (existing) await tracker.editPullBody(existing.number, wanted.body);
  const pull = existing ?? (await tracker.openDraftPull(wanted));
  await appendEvent(ctx.db, scope, EVENTS.publishPullOpened, {
    action: request.id,
    pull: pull.number,
    url: pull.url,
    found: existing !== undefined,
  });
  // From now on, what happens on the pull request goes back to the run ([reactions]).
  await watchPull(ctx.db, {
    runId: target.run,
    itemId: target.item,
    tracker: tracker.key,
    number: pull.number,
    url: pull.url,
    base: target.into,
    head: target.head,
  });
  const told = target.issue === undefined ? "" : await tellIssue(ctx, tracker, request, target, pull);
  return {
    exit_code: 0,
    logs: `pushed ${target.branch} (${target.head.slice(0, 12)}) to ${target.forge}; ${existing ? "found" : "opened"} draft pull request #${pull.number}: ${pull.url}${told}`,
    publish: { head: target.head, pull: pull.number, url: pull.url },
  };
}

/** The forge `[tracker]` names; publishing and merging a published run need it. */
export function forgeOf(ctx: VaultContext): Tracker {
  if (ctx.tracker) return ctx.tracker;
  throw new GafferError(
    "config-invalid",
    `${ctx.config.file ?? "gaffer.toml"}: no [tracker]: the forge this action needs is gone`,
    "put [tracker] back, or reject the action",
  );
}

/** The pull request a run was published as, from the store: undefined when it never was. */
export async function publishedPull(
  ctx: VaultContext,
  run: number,
): Promise<{ pull: number; url: string } | undefined> {
  const opened = eventsOfKind(await listEvents(ctx.db, { runId: run }), EVENTS.publishPullOpened);
  return opened.at(-1)?.data;
}

/**
 * Pushes the proposal's head to the forge's branch of the same name. The token goes to git as an
 * `http.<url>.extraHeader` in `GIT_CONFIG_*` variables, so it is in no argument list, no URL
 * (which git may print) and no file. Returns the remote's URL.
 */
async function pushProposal(ctx: VaultContext, tracker: Tracker, target: PublishTarget): Promise<string> {
  const { cloneUrl } = await tracker.repository();
  const url = new URL(cloneUrl);
  if (url.protocol !== "https:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new GafferError(
      "tracker-auth",
      `${target.forge} gives ${url.origin} for git, which is not HTTPS: gaffer will not send its credentials there`,
      "serve the forge over HTTPS",
    );
  }
  const authorization = await tracker.gitAuthorization();
  // A revision that gaffer rebased replaces what it pushed before, and only that: the lease fails
  // if anyone else pushed to the branch since.
  const pushed = eventsOfKind(await listEvents(ctx.db, { runId: target.run }), EVENTS.publishPushed)
    .map((e) => e.data.head)
    .filter((head) => head !== target.head)
    .at(-1);
  const lease = pushed ? [`--force-with-lease=refs/heads/${target.branch}:${pushed}`] : [];
  const refspec = `${target.head}:refs/heads/${target.branch}`;
  await hardenedGit(ctx.root, ["push", "--quiet", ...lease, cloneUrl, refspec], {
    env: forgeGitEnv(cloneUrl, authorization),
  }).catch((error: unknown) => {
    if (!REFUSED_PUSH.test(messageOf(error))) throw error;
    const auth = ctx.config.tracker?.auth;
    const credential = auth?.kind === "token" ? auth.env : `the GitHub App ${auth?.appId ?? ""}`;
    throw new GafferError(
      "tracker-auth",
      `${credential} may not push ${target.branch} to ${target.forge}`,
      "give it push access: the repo scope (GitHub classic), Contents: Read and write (fine-grained or App), write:repository (Gitea, Forgejo); see docs/FORGES.md",
    );
  });
  return cloneUrl;
}

/** How git reports a push the forge refused for want of rights. */
const REFUSED_PUSH =
  /Authentication failed|returned error: 40[13]|Permission .* denied|could not read Username/;

async function newPull(ctx: VaultContext, target: PublishTarget) {
  const item = await getItem(ctx.db, target.item);
  const proposal = await findProposal(ctx.db, target.run);
  if (!proposal)
    throw new GafferError("run-state", `run ${target.run} has no proposal`, "run the item again");
  const link = await trackerLinkOf(ctx.db, item.id);
  const facts = {
    run: target.run,
    item,
    issue: target.issue !== undefined && link ? { number: target.issue, url: link.url } : undefined,
    proposal,
    review: (await listReviews(ctx.db, target.run)).at(-1),
    usage: await totalUsage(ctx.db, { runId: target.run }),
  };
  const redact = ctx.secrets.redactor(
    ctx.config.tracker?.auth.kind === "token" ? [ctx.config.tracker.auth.env] : [],
  );
  return {
    head: target.branch,
    base: target.into,
    title: redact(pullTitle(facts)),
    body: redact(pullBody(facts)),
  };
}

/** Comments on the issue once: a comment carrying the run's marker means it was done. */
async function tellIssue(
  ctx: VaultContext,
  tracker: Tracker,
  request: ActionRequest,
  target: PublishTarget,
  pull: ForgePull,
): Promise<string> {
  const issue = target.issue as number;
  const marker = publishMarker(target.run);
  const found = (await tracker.listComments(issue)).some((c) => c.body.startsWith(marker));
  if (!found) await tracker.comment(issue, issueComment(target.run, pull));
  await appendEvent(ctx.db, { runId: target.run, itemId: target.item }, EVENTS.publishCommented, {
    action: request.id,
    issue,
    pull: pull.number,
    found,
  });
  return `; issue #${issue} ${found ? "already told" : "told"}`;
}
