import { existsSync } from "node:fs";
import { GafferError, isGafferError, messageOf } from "../errors.ts";
import {
  appendEvent,
  EVENTS,
  getItem,
  getRun,
  type Run,
  setItemState,
  trackerLinkOf,
  updateWatchedPull,
} from "../store/index.ts";
import { hardenedGit, snapshotWorkspace, workspaceAt } from "../workspace/index.ts";
import { formulaCommand } from "./config.ts";
import type { VaultContext } from "./context.ts";
import { gitSucceeds, mergeIntoBranch } from "./merge.ts";
import type { ActionRequest, ActionResult, FormulaSpec, MergeTarget } from "./request.ts";
import { executePublish, forgeOf, publishedPull } from "./publish.ts";
import { checkMergeRequest, checkProposalHead } from "./requests.ts";
import { runShell } from "../util/index.ts";

/** disinto keeps the last 1,000 characters of an action's output in its result. */
const LOG_CHARS = 1000;

/** The variables a formula's command gets besides its declared secrets. */
const BASE_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "TERM",
];

type Outcome = Pick<ActionResult, "exit_code" | "logs" | "merge" | "publish">;

/** Runs an approved action. Never throws: a failure is a result with a non-zero exit code. */
export async function executeAction(ctx: VaultContext, request: ActionRequest): Promise<ActionResult> {
  const started = ctx.now();
  const redact = ctx.secrets.redactor(request.secrets);
  let outcome: Outcome;
  try {
    outcome =
      request.kind === "merge"
        ? await executeMerge(ctx, request, request.merge)
        : request.kind === "publish"
          ? await executePublish(ctx, request, request.publish)
          : await executeFormula(ctx, request, request.formula);
  } catch (error) {
    const hint = isGafferError(error) && error.hint ? ` — ${error.hint}` : "";
    outcome = { exit_code: 1, logs: `${messageOf(error)}${hint}` };
  }
  const finished = ctx.now();
  return {
    id: request.id,
    exit_code: outcome.exit_code,
    timestamp: new Date(finished).toISOString(),
    logs: redact(outcome.logs).slice(-LOG_CHARS),
    duration_ms: finished - started,
    ...(outcome.merge && { merge: outcome.merge }),
    ...(outcome.publish && { publish: outcome.publish }),
  };
}

/** The formula's command, in the project, with only its declared secrets and the action's facts. */
async function executeFormula(
  ctx: VaultContext,
  request: ActionRequest,
  formula: FormulaSpec,
): Promise<Outcome> {
  const command = formulaCommand(ctx.vault, formula.name);
  const env: NodeJS.ProcessEnv = {};
  for (const name of BASE_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, {
    VAULT_ACTION_ID: request.id,
    VAULT_ACTION_FORMULA: formula.name,
    VAULT_ACTION_CONTEXT: request.context,
    VAULT_ACTION_MODEL: formula.model ?? "",
    VAULT_ACTION_TOOLS: formula.tools.join(" "),
    VAULT_ACTION_TIMEOUT_MINUTES: String(formula.timeoutMinutes),
    ...(request.requestedBy.run !== undefined && { GAFFER_RUN_ID: String(request.requestedBy.run) }),
    ...ctx.secrets.resolve(request.secrets),
  });
  const result = await runShell(command, { cwd: ctx.root, env, timeoutMs: formula.timeoutMinutes * 60_000 });
  const end = result.timedOut
    ? `\n[timed out after ${formula.timeoutMinutes} minutes]`
    : result.spawnError
      ? `\n[could not start: ${result.spawnError}]`
      : "";
  return { exit_code: result.timedOut ? null : result.exitCode, logs: result.output + end };
}

/** Keeps the run's workspace as a snapshot, merges the proposal, and records it on the run. */
async function executeMerge(
  ctx: VaultContext,
  request: ActionRequest,
  target: MergeTarget,
): Promise<Outcome> {
  if (target.run === undefined) {
    await checkMergeRequest(ctx, target);
    return executeBranchMerge(ctx, request, target);
  }
  const published = await publishedPull(ctx, target.run);
  if (published) return mergeOnForge(ctx, request, { ...target, run: target.run }, published);
  await checkMergeRequest(ctx, target);
  const run = await getRun(ctx.db, target.run);
  const snapshot = await keepSnapshot(ctx.root, run, target.head);
  const merged = await mergeIntoBranch(ctx.root, {
    into: target.into,
    head: target.head,
    message: `Merge ${target.branch} (gaffer run ${target.run})\n\n${request.context}\n\ngaffer vault action ${request.id} (${request.tier})`,
    identity: ctx.config.workspace.identity,
  });
  const merge = {
    into: target.into,
    from: target.branch,
    head: target.head,
    commit: merged.commit,
    snapshot,
    worktree: merged.worktree,
  };
  await appendEvent(ctx.db, { runId: run.id, itemId: run.itemId }, EVENTS.vaultMerged, {
    action: request.id,
    ...merge,
  });
  // The item is done: close it, saying by which merge.
  const note = `merged into ${target.into} as ${merged.commit} (run ${run.id}, vault action ${request.id})`;
  if ((await getItem(ctx.db, run.itemId)).state === "open")
    await setItemState(ctx.db, run.itemId, "closed", note);
  const worktree = merged.worktree ? `; ${merged.worktree} updated` : "";
  return {
    exit_code: 0,
    logs: `merged ${target.branch} (${target.head.slice(0, 12)}) into ${target.into} as ${merged.commit.slice(0, 12)}${worktree}; workspace kept in ${snapshot}`,
    merge,
  };
}

/** Merges a branch gaffer grew (a track's), which stays where it is: it needs no snapshot. */
async function executeBranchMerge(
  ctx: VaultContext,
  request: ActionRequest,
  target: MergeTarget,
): Promise<Outcome> {
  const merged = await mergeIntoBranch(ctx.root, {
    into: target.into,
    head: target.head,
    message: `Merge ${target.branch}\n\n${request.context}\n\ngaffer vault action ${request.id} (${request.tier})`,
    identity: ctx.config.workspace.identity,
  });
  const merge = {
    into: target.into,
    from: target.branch,
    head: target.head,
    commit: merged.commit,
    snapshot: null,
    worktree: merged.worktree,
  };
  await appendEvent(ctx.db, {}, EVENTS.vaultMerged, { action: request.id, ...merge });
  const worktree = merged.worktree ? `; ${merged.worktree} updated` : "";
  return {
    exit_code: 0,
    logs: `merged ${target.branch} (${target.head.slice(0, 12)}) into ${target.into} as ${merged.commit.slice(0, 12)}${worktree}`,
    merge,
  };
}

/**
 * A published run merges through the forge's API, so its branch protection (required reviews and
 * checks) holds: out of draft, then merged only if the pull request's head is still the tested
 * commit. The issue is closed, loses its in-progress label and gets the done one; the item is closed.
 */
async function mergeOnForge(
  ctx: VaultContext,
  request: ActionRequest,
  target: MergeTarget & { run: number },
  published: { pull: number; url: string },
): Promise<Outcome> {
  const tracker = forgeOf(ctx);
  await checkProposalHead(ctx, target.run, target.head, `gaffer merge ${target.run}`);
  const pull = await tracker.getPull(published.pull);
  if (pull?.state !== "open" || pull.headSha !== target.head) {
    const why = !pull || pull.state !== "open" ? "is not open" : `proposes ${pull.headSha.slice(0, 12)}`;
    throw new GafferError(
      "run-state",
      `pull request #${published.pull} on ${tracker.where} ${why}, not the tested ${target.head.slice(0, 12)}`,
      `publish the run again (gaffer publish ${target.run}), then merge`,
    );
  }
  const run = await getRun(ctx.db, target.run);
  const snapshot = await keepSnapshot(ctx.root, run, target.head);
  await tracker.markReady(pull);
  const commit = await tracker.mergePull(pull.number, {
    sha: target.head,
    title: `Merge ${target.branch} (gaffer run ${target.run})`,
    message: `${request.context}\n\ngaffer vault action ${request.id} (${request.tier})`,
  });
  const merge = {
    into: target.into,
    from: target.branch,
    head: target.head,
    commit,
    snapshot,
    worktree: null,
  };
  await appendEvent(ctx.db, { runId: run.id, itemId: run.itemId }, EVENTS.vaultMerged, {
    action: request.id,
    ...merge,
    pull: pull.number,
    url: pull.url,
  });
  await updateWatchedPull(ctx.db, run.id, { state: "merged" });
  const link = await trackerLinkOf(ctx.db, run.itemId);
  const labels = ctx.config.tracker?.labels;
  if (link?.tracker === tracker.key) {
    await tracker.closeIssue(link.number);
    if (labels) {
      await tracker.removeLabel(link.number, labels.inProgress);
      await tracker.addLabels(link.number, [labels.done]);
    }
  }
  const note = `merged on ${tracker.where} as ${commit} (pull request #${pull.number}, run ${run.id}, vault action ${request.id})`;
  if ((await getItem(ctx.db, run.itemId)).state === "open")
    await setItemState(ctx.db, run.itemId, "closed", note);
  return {
    exit_code: 0,
    logs: `merged pull request #${pull.number} (${target.head.slice(0, 12)}) into ${target.into} on ${tracker.where} as ${commit.slice(0, 12)}; workspace kept in ${snapshot}`,
    merge: { ...merge, pull: pull.number },
  };
}

/**
 * The run's workspace as `refs/gaffer/snapshots/<run>`: snapshotted now if it still exists, else
 * the snapshot its discard left, else the proposal's head.
 */
async function keepSnapshot(root: string, run: Run, head: string): Promise<string> {
  if (run.workspace && existsSync(run.workspace)) {
    return (await snapshotWorkspace(root, workspaceAt(run.workspace), run.id, { matching: head })).ref;
  }
  const ref = `refs/gaffer/snapshots/${run.id}`;
  if (!(await gitSucceeds(root, ["rev-parse", "--verify", "--quiet", ref]))) {
    await hardenedGit(root, ["update-ref", "-m", "gaffer vault: keep the proposal", ref, head, ""]);
  }
  return ref;
}
