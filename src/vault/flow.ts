import { GafferError } from "../errors.ts";
import { ownerAlive, ownerToken, withRepoLock } from "../workspace/index.ts";
import { appendAudit, digest, type NewAuditEntry, readAudit } from "./audit.ts";
import type { VaultContext } from "./context.ts";
import { executeAction } from "./execute.ts";
import { assertRecorded } from "./history.ts";
import { assertApprover } from "./identity.ts";
import type { ActionRequest } from "./request.ts";
import { checkMergeRequest } from "./requests.ts";
import {
  type ActionState,
  findAction,
  listActions,
  moveAction,
  type StoredAction,
  writeAction,
  writeResult,
} from "./store.ts";
import { printable, runShell } from "../util/index.ts";

/**
 * The vault's transitions. Each one appends to the audit log and moves the action's file under
 * the repository's lock; executors run outside it. A low action fires at once, a medium one waits
 * for review until its window ends, a high one waits for an approver.
 */

/** The actor for what the policy decides by itself (low tier, an ended review window). */
const GAFFER = "gaffer";

/** Records a request; a low one is approved and fired at once, a medium or high one announced. */
export async function submit(ctx: VaultContext, request: ActionRequest): Promise<StoredAction> {
  const redact = ctx.secrets.redactor(request.secrets);
  const recorded = { ...request, context: redact(request.context) };
  const actor = request.requestedBy.identity ?? request.requestedBy.role;
  await locked(ctx, async () => {
    if (findAction(ctx.paths, recorded.id)) {
      throw new GafferError(
        "invalid-input",
        `the vault already has an action ${recorded.id}`,
        "give the action a new id",
      );
    }
    await audit(ctx, { type: "requested", action: recorded.id, actor, data: { request: recorded } });
    if (recorded.tier !== "low") return writeAction(ctx.paths, "pending", recorded);
    await audit(ctx, {
      type: "approved",
      action: recorded.id,
      actor: GAFFER,
      data: { reason: "low: runs at once" },
    });
    await writeAction(ctx.paths, "approved", recorded);
  });
  if (recorded.tier === "low") return fire(ctx, recorded.id);
  await notify(ctx, recorded);
  return found(ctx, recorded.id);
}

/** An approver approves a pending action, which then fires. */
export async function approve(
  ctx: VaultContext,
  id: string,
  identity: string | undefined,
): Promise<StoredAction> {
  const approver = assertApprover(identity, ctx.vault.approvers);
  await locked(ctx, async () => {
    const action = pendingAction(ctx, id, "approved");
    if (action.request.kind === "merge") await checkMergeRequest(ctx, action.request.merge);
    await decide(ctx, action, "approved", approver, {});
  });
  return fire(ctx, id);
}

/** An approver rejects a pending action, with a reason. */
export async function reject(
  ctx: VaultContext,
  id: string,
  identity: string | undefined,
  reason: string | undefined,
): Promise<StoredAction> {
  const approver = assertApprover(identity, ctx.vault.approvers);
  if (!reason?.trim()) {
    throw new GafferError(
      "usage",
      `rejecting ${id} needs a reason`,
      `gaffer vault reject ${id} --reason "…"`,
    );
  }
  await locked(ctx, async () => {
    await decide(ctx, pendingAction(ctx, id, "rejected"), "rejected", approver, { reason: reason.trim() });
  });
  return found(ctx, id);
}

/**
 * What time alone decides: a medium action whose review window has ended executes or expires
 * (as [vault] on_timeout says), and an approved action left unfired (a crash) fires. Every
 * command that changes the vault calls this first; a daemon can call it on a timer.
 */
export async function tick(ctx: VaultContext): Promise<StoredAction[]> {
  const ids = await locked(ctx, async () => {
    const decided: string[] = [];
    for (const action of listActions(ctx.paths)) {
      if (action.state !== "pending" || !reviewEnded(action, ctx.now())) continue;
      const verdict = ctx.vault.onTimeout === "execute" ? "approved" : "expired";
      const reason = `nobody reviewed it by ${new Date(action.request.reviewBy ?? 0).toISOString()}`;
      await decide(ctx, action, verdict, GAFFER, { reason });
      decided.push(action.request.id);
    }
    const unfired = listActions(ctx.paths).filter((a) => a.state === "approved");
    return [...new Set([...decided, ...unfired.map((a) => a.request.id)])];
  });
  const changed: StoredAction[] = [];
  for (const id of ids) {
    const action = found(ctx, id);
    changed.push(action.state === "approved" ? await fire(ctx, id) : action);
  }
  for (const action of listActions(ctx.paths).filter((a) => interruptedPublish(ctx, a))) {
    changed.push(await refire(ctx, action.request.id));
  }
  return changed;
}

/**
 * A publish fired but left no result, and the process that fired it is gone: gaffer stopped while
 * executing it. Publishing finds what it already did (the pushed branch, the pull request, the
 * comment), so it is safely run again.
 */
function interruptedPublish(ctx: VaultContext, action: StoredAction): boolean {
  if (action.state !== "fired" || action.result !== undefined || action.request.kind !== "publish")
    return false;
  const firing = readAudit(ctx.paths.audit)
    .entries.filter((entry) => entry.action === action.request.id && entry.type === "fired")
    .at(-1);
  return typeof firing?.data.by !== "string" || !ownerAlive(firing.data.by);
}

/** Whether a pending medium action's review window is over. */
export function reviewEnded(action: StoredAction, now: number): boolean {
  return action.request.reviewBy !== undefined && now >= action.request.reviewBy;
}

/**
 * Hands an approved action to its executor, once: under the lock it moves to fired/ (another
 * process finds it gone), then runs, then its result is written and recorded.
 */
async function fire(ctx: VaultContext, id: string): Promise<StoredAction> {
  const request = await locked(ctx, async () => {
    const action = findAction(ctx.paths, id);
    if (action?.state !== "approved") return undefined;
    assertRecorded(ctx.paths, action);
    await audit(ctx, {
      type: "fired",
      action: id,
      actor: GAFFER,
      data: { by: ownerToken(process.pid).trim() },
    });
    await moveAction(ctx.paths, id, "approved", "fired");
    return action.request;
  });
  if (request) await execute(ctx, request);
  return found(ctx, id);
}

/** Fires an interrupted publish again, recorded as a second firing; another process that got there first wins. */
async function refire(ctx: VaultContext, id: string): Promise<StoredAction> {
  const request = await locked(ctx, async () => {
    const action = findAction(ctx.paths, id);
    if (!action || !interruptedPublish(ctx, action)) return undefined;
    assertRecorded(ctx.paths, action);
    await audit(ctx, {
      type: "fired",
      action: id,
      actor: GAFFER,
      data: { by: ownerToken(process.pid).trim(), resumed: true },
    });
    return action.request;
  });
  if (request) await execute(ctx, request);
  return found(ctx, id);
}

async function execute(ctx: VaultContext, request: ActionRequest): Promise<void> {
  const result = await executeAction(ctx, request);
  await locked(ctx, async () => {
    if (findAction(ctx.paths, request.id)?.result) return;
    await writeResult(ctx.paths, result);
    await audit(ctx, {
      type: "executed",
      action: request.id,
      actor: GAFFER,
      data: { exit_code: result.exit_code, result: digest(result) },
    });
  });
}

async function decide(
  ctx: VaultContext,
  action: StoredAction,
  verdict: "approved" | "rejected" | "expired",
  actor: string,
  data: Record<string, unknown>,
): Promise<void> {
  assertRecorded(ctx.paths, action);
  await audit(ctx, { type: verdict, action: action.request.id, actor, data });
  const to: ActionState = verdict === "approved" ? "approved" : "rejected";
  await moveAction(ctx.paths, action.request.id, "pending", to);
}

/**
 * Runs [vault] notify for a medium or high request, with the request as JSON on stdin (raw) and a
 * one-line summary for a human (printable), and records how it went.
 */
async function notify(ctx: VaultContext, request: ActionRequest): Promise<void> {
  if (!ctx.vault.notify) return;
  const summary = printable(
    `${request.tier} vault action ${request.id} waits for ${request.tier === "high" ? "an approver" : "review"}: ${request.context}`,
  );
  const result = await runShell(ctx.vault.notify, {
    cwd: ctx.root,
    env: {
      ...process.env,
      GAFFER_VAULT_ID: request.id,
      GAFFER_VAULT_TIER: request.tier,
      GAFFER_VAULT_SUMMARY: summary,
    },
    input: JSON.stringify(request),
    timeoutMs: 30_000,
  });
  await locked(ctx, () =>
    audit(ctx, { type: "notified", action: request.id, actor: GAFFER, data: { exit_code: result.exitCode } }),
  );
}

function pendingAction(ctx: VaultContext, id: string, done: "approved" | "rejected"): StoredAction {
  const action = found(ctx, id);
  if (action.state !== "pending") {
    throw new GafferError(
      "run-state",
      `vault action ${id} is ${action.state}; only a pending action can be ${done}`,
      `gaffer vault show ${id}`,
    );
  }
  return action;
}

function found(ctx: VaultContext, id: string): StoredAction {
  const action = findAction(ctx.paths, id);
  if (!action)
    throw new GafferError("usage", `no vault action ${id}`, "`gaffer vault list --all` shows them all");
  return action;
}

async function audit(ctx: VaultContext, entry: NewAuditEntry): Promise<void> {
  await appendAudit(ctx.paths.audit, entry, ctx.now());
}

/** The vault shares the repository's lock: merges change the repository, and the audit chain must not fork. */
function locked<T>(ctx: VaultContext, fn: () => Promise<T>): Promise<T> {
  return withRepoLock(ctx.root, fn);
}
