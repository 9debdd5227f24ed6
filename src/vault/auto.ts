import { messageOf } from "../errors.ts";
import { appendEvent, EVENTS, findProposal, getRun } from "../store/index.ts";
import type { VaultContext } from "./context.ts";
import { submit } from "./flow.ts";
import { mergeRequest, publishRequest } from "./requests.ts";
import { listActions, type StoredAction } from "./store.ts";

/** What gaffer asks the vault for by itself, and whether it did. */
export type AutoRequest = { requested: true; action: StoredAction } | { requested: false; reason: string };

/** Who gaffer's own requests come from, in the audit log. */
const GAFFER = { role: "gaffer" };

/**
 * Publishes a run's proposal without being asked (`[tracker] publish = "on-proposal"`, or a
 * revision of a run already published): a vault `publish` action, tiered like any other. Nothing
 * is asked while one for the run waits or runs, nor again for a proposal head already asked for.
 */
export async function publishByItself(ctx: VaultContext, runId: number, why: string): Promise<AutoRequest> {
  const proposal = await findProposal(ctx.db, runId);
  if (!proposal) return { requested: false, reason: `run ${runId} has no proposal` };
  const earlier = listActions(ctx.paths).filter(
    (a) => a.request.kind === "publish" && a.request.publish.run === runId,
  );
  const busy = earlier.find(
    (a) => a.state === "pending" || a.state === "approved" || (a.state === "fired" && !a.result),
  );
  if (busy) return { requested: false, reason: `${busy.request.id} is ${busy.state}` };
  const asked = earlier.find(
    (a) => a.request.kind === "publish" && a.request.publish.head === proposal.headCommit,
  );
  if (asked) return { requested: false, reason: `${asked.request.id} was asked for this proposal already` };
  const run = await getRun(ctx.db, runId);
  const request = await publishRequest(ctx, runId, {
    requester: GAFFER,
    context: `publish ${run.branch} (${why})`,
  });
  const action = await submit(ctx, request);
  await appendEvent(ctx.db, { runId, itemId: run.itemId }, EVENTS.publishRequested, {
    action: request.id,
    tier: request.tier,
    state: action.state,
    why,
  });
  return { requested: true, action };
}

/** Asks the vault to merge a run's proposal (a reaction: approved and green). */
export async function mergeByItself(ctx: VaultContext, runId: number, why: string): Promise<AutoRequest> {
  const busy = listActions(ctx.paths).find(
    (a) =>
      a.request.kind === "merge" &&
      a.request.merge.run === runId &&
      (a.state === "pending" || a.state === "approved" || (a.state === "fired" && !a.result)),
  );
  if (busy) return { requested: false, reason: `${busy.request.id} is ${busy.state}` };
  try {
    const request = await mergeRequest(ctx, runId, { requester: GAFFER, context: why });
    return { requested: true, action: await submit(ctx, request) };
  } catch (error) {
    return { requested: false, reason: messageOf(error) };
  }
}
