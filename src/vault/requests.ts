import { GafferError } from "../errors.ts";
import {
  findProposal,
  getItem,
  getRun,
  type Proposal,
  type Run,
  trackerLinkOf,
  watchedPullOf,
} from "../store/index.ts";
import { detectDefaultBranch, hardenedGit } from "../workspace/index.ts";
import type { DisintoAction } from "./action.ts";
import { classify } from "./classify.ts";
import { formulaCommand } from "./config.ts";
import type { VaultContext } from "./context.ts";
import { checkMergeable, diffFacts } from "./merge.ts";
import type { ActionRequest, MergeTarget, Requester } from "./request.ts";
import { assertHiddenFromAgents } from "./secrets.ts";
import { findAction, listActions } from "./store.ts";
import type { Tier } from "./tier.ts";

export interface MergeRequestOptions {
  requester: Requester;
  context?: string | undefined;
  /** A tier the requester asks for: it may raise the computed tier, never lower it. */
  blastRadius?: Tier | undefined;
}

/**
 * A request to merge a run's proposal into the project's default branch, classified by what its
 * diff touches and how big it is. A merge that would fail now (conflicts, a dirty worktree,
 * already merged) is refused before anything is recorded.
 */
export async function mergeRequest(
  ctx: VaultContext,
  runId: number,
  options: MergeRequestOptions,
): Promise<ActionRequest> {
  const { run, proposal } = await proposalToAct(ctx, runId, "merge");
  const item = await getItem(ctx.db, run.itemId);
  const into = await detectDefaultBranch(ctx.root, ctx.config.project.defaultBranch);
  // A published run merges on the forge, whose base is what counts: the forge decides.
  if (!(await watchedPullOf(ctx.db, run.id))) await checkMergeable(ctx.root, into, proposal.headCommit);
  const facts = await diffFacts(ctx.root, proposal.baseCommit, proposal.headCommit);
  const { tier, reasons } = classify(
    {
      action: "merge",
      paths: facts.paths,
      size: facts,
      requested: options.blastRadius,
      review: proposal.review,
    },
    ctx.policy,
  );
  return withTiming(ctx, {
    id: freeId(ctx, `merge-run-${run.id}`),
    kind: "merge",
    context: options.context ?? `merge ${run.branch} into ${into}: item #${item.id} ${item.title}`,
    requestedBy: { ...options.requester, run: run.id },
    requestedAt: ctx.now(),
    secrets: [],
    ...(options.blastRadius && { blastRadius: options.blastRadius }),
    tier,
    reasons,
    merge: {
      run: run.id,
      item: item.id,
      branch: run.branch,
      base: proposal.baseCommit,
      head: proposal.headCommit,
      into,
      ...facts,
    },
  });
}

/**
 * A request to merge a branch gaffer grew itself from its runs' proposals — a Conductor track's
 * `tier2/<track>` — into the default branch, classified like a proposal by everything its diff
 * from `base` (where the track started) touches. Refused if it would fail now.
 */
export async function branchMergeRequest(
  ctx: VaultContext,
  target: { branch: string; base: string; head: string },
  options: MergeRequestOptions,
): Promise<ActionRequest> {
  const active = listActions(ctx.paths).find(
    (a) =>
      a.request.kind === "merge" &&
      a.request.merge.run === undefined &&
      a.request.merge.branch === target.branch &&
      (a.state === "pending" || a.state === "approved"),
  );
  if (active) {
    throw new GafferError(
      "run-state",
      `${target.branch}'s merge is already ${active.state} as ${active.request.id}`,
      `gaffer vault show ${active.request.id}`,
    );
  }
  const into = await detectDefaultBranch(ctx.root, ctx.config.project.defaultBranch);
  await checkMergeable(ctx.root, into, target.head);
  const facts = await diffFacts(ctx.root, target.base, target.head);
  const { tier, reasons } = classify(
    { action: "merge", paths: facts.paths, size: facts, requested: options.blastRadius, review: null },
    ctx.policy,
  );
  return withTiming(ctx, {
    id: freeId(ctx, `merge-${target.branch.replace(/[^A-Za-z0-9_.-]+/g, "-")}`),
    kind: "merge",
    context: options.context ?? `merge ${target.branch} into ${into}`,
    requestedBy: options.requester,
    requestedAt: ctx.now(),
    secrets: [],
    ...(options.blastRadius && { blastRadius: options.blastRadius }),
    tier,
    reasons,
    merge: { branch: target.branch, base: target.base, head: target.head, into, ...facts },
  });
}

/**
 * A request to publish a run's proposal on the project's forge (`[tracker]`): push its branch with
 * gaffer's own credentials and open a draft pull request carrying the evidence. Classified by its
 * kind (`publish`, low unless [tiers] says otherwise) and by the path rules its diff matches: a
 * pushed branch can run the forge's CI, so a proposal that changes workflows is high.
 */
export async function publishRequest(
  ctx: VaultContext,
  runId: number,
  options: MergeRequestOptions,
): Promise<ActionRequest> {
  const tracker = ctx.tracker;
  const file = ctx.config.file ?? "gaffer.toml";
  if (!tracker) {
    throw new GafferError(
      "config-invalid",
      `${file}: no [tracker]: gaffer has no forge to publish run ${runId} on`,
      "add [tracker] with kind, repo and token_env (docs/FORGES.md)",
    );
  }
  const { run, proposal } = await proposalToAct(ctx, runId, "publish");
  const item = await getItem(ctx.db, run.itemId);
  const link = await trackerLinkOf(ctx.db, item.id);
  const into = await detectDefaultBranch(ctx.root, ctx.config.project.defaultBranch);
  const facts = await diffFacts(ctx.root, proposal.baseCommit, proposal.headCommit);
  const { tier, reasons } = classify(
    { action: "publish", paths: facts.paths, requested: options.blastRadius },
    ctx.policy,
  );
  const auth = ctx.config.tracker?.auth;
  return withTiming(ctx, {
    id: freeId(ctx, `publish-run-${run.id}`),
    kind: "publish",
    context:
      options.context ??
      `publish ${run.branch} as a draft pull request on ${tracker.where}: item #${item.id} ${item.title}`,
    requestedBy: { ...options.requester, run: run.id },
    requestedAt: ctx.now(),
    secrets: auth?.kind === "token" ? [auth.env] : [],
    ...(options.blastRadius && { blastRadius: options.blastRadius }),
    tier,
    reasons,
    publish: {
      run: run.id,
      item: item.id,
      issue: link?.tracker === tracker.key ? link.number : undefined,
      branch: run.branch,
      base: proposal.baseCommit,
      head: proposal.headCommit,
      into,
      forge: tracker.where,
    },
  });
}

/** The run and its proposal, when it has one that may be merged or published, with no such request already waiting. */
async function proposalToAct(
  ctx: VaultContext,
  runId: number,
  kind: "merge" | "publish",
): Promise<{ run: Run; proposal: Proposal }> {
  const run = await getRun(ctx.db, runId);
  const proposal = await findProposal(ctx.db, run.id);
  if (!proposal) {
    throw new GafferError(
      "run-state",
      `run ${run.id} has no proposal (it is ${run.state})`,
      `only a run that made a proposal can be ${kind === "merge" ? "merged" : "published"}`,
    );
  }
  if (run.state === "revising") {
    throw new GafferError(
      "run-state",
      `run ${run.id} is being revised after a review`,
      `${kind} it once it proposes again (gaffer show ${run.id})`,
    );
  }
  const active = listActions(ctx.paths).find(
    (a) =>
      a.request.kind === kind &&
      runOf(a.request) === run.id &&
      (a.state === "pending" || a.state === "approved"),
  );
  if (active) {
    throw new GafferError(
      "run-state",
      `run ${run.id}'s ${kind} is already ${active.state} as ${active.request.id}`,
      `gaffer vault show ${active.request.id}`,
    );
  }
  return { run, proposal };
}

function runOf(request: ActionRequest): number | undefined {
  if (request.kind === "merge") return request.merge.run;
  if (request.kind === "publish") return request.publish.run;
  return request.requestedBy.run;
}

/** Throws when the run's proposal is no longer the commit a request was made for (a revision since). */
export async function checkProposalHead(
  ctx: VaultContext,
  run: number,
  head: string,
  retry: string,
): Promise<void> {
  const proposal = await findProposal(ctx.db, run);
  if (proposal?.headCommit !== head) {
    throw new GafferError(
      "run-state",
      `run ${run}'s proposal is no longer ${head.slice(0, 12)}: it changed after the request`,
      `reject this request and run \`${retry}\` again`,
    );
  }
}

/**
 * Throws what would make an approved merge wrong or fail now: the run's proposal (or the track's
 * branch) changed since the request, or the merge itself would fail (see checkMergeable).
 */
export async function checkMergeRequest(ctx: VaultContext, target: MergeTarget): Promise<void> {
  if (target.run === undefined) await checkBranchHead(ctx, target.branch, target.head);
  else await checkProposalHead(ctx, target.run, target.head, `gaffer merge ${target.run}`);
  // A published run merges on the forge, which says whether it can.
  if (target.run !== undefined && (await watchedPullOf(ctx.db, target.run))) return;
  await checkMergeable(ctx.root, target.into, target.head);
}

/** Throws when a branch gaffer grew moved after a request to merge it was made. */
async function checkBranchHead(ctx: VaultContext, branch: string, head: string): Promise<void> {
  const tip = await hardenedGit(ctx.root, ["rev-parse", "--verify", `refs/heads/${branch}^{commit}`]).catch(
    () => undefined,
  );
  if (tip !== head) {
    throw new GafferError(
      "run-state",
      `${branch} is no longer ${head.slice(0, 12)}: it moved after the merge was requested`,
      "reject this request and ask again",
    );
  }
}

/** A request from a disinto action file: its formula must have a command, its secrets must be hidden from agents. */
export function formulaRequest(
  ctx: VaultContext,
  action: DisintoAction,
  requester: Requester,
): ActionRequest {
  formulaCommand(ctx.vault, action.formula);
  assertHiddenFromAgents(action.secrets, ctx.config);
  const { tier, reasons } = classify({ action: action.formula, requested: action.blast_radius }, ctx.policy);
  return withTiming(ctx, {
    id: action.id,
    kind: "formula",
    context: action.context,
    requestedBy: requester,
    requestedAt: ctx.now(),
    secrets: action.secrets,
    ...(action.blast_radius && { blastRadius: action.blast_radius }),
    tier,
    reasons,
    formula: {
      name: action.formula,
      mounts: action.mounts,
      ...(action.model !== undefined && { model: action.model }),
      tools: action.tools,
      timeoutMinutes: action.timeout_minutes,
    },
  });
}

/** A medium request's review window ends `review_timeout` after it was made. */
function withTiming(ctx: VaultContext, request: ActionRequest): ActionRequest {
  return request.tier === "medium"
    ? { ...request, reviewBy: request.requestedAt + ctx.vault.reviewTimeoutMs }
    : request;
}

/** `base`, or `base-2`, `base-3`… whichever the vault has not used yet. */
function freeId(ctx: VaultContext, base: string): string {
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!findAction(ctx.paths, id)) return id;
  }
}
