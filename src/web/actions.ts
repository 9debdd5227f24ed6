import { Hono } from "hono";
import { discardRun, requestCancel } from "../engine/index.ts";
import { isGafferError } from "../errors.ts";
import { setPaused, tellRole } from "../factory/index.ts";
import { appendEvent, type DashboardAction, EVENTS } from "../store/index.ts";
import { approve, openVault, reject } from "../vault/index.ts";
import { idParam } from "./api.ts";
import type { WebContext, WebVariables } from "./context.ts";
import { requeueItem, resumeInBackground } from "./launch.ts";

/**
 * The write side: each action runs the code its CLI command runs, with the token's name as who
 * acted, and is recorded as an event of the dashboard's actions (with the error when it was refused).
 */
export function actionRoutes(ctx: WebContext): Hono<{ Variables: WebVariables }> {
  const { project } = ctx;
  const api = new Hono<{ Variables: WebVariables }>();

  async function act<T>(
    token: string,
    action: DashboardAction,
    target: string | null,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      const result = await work();
      await appendEvent(project.store.db, {}, EVENTS.dashboardAction, { token, action, target });
      return result;
    } catch (error) {
      if (isGafferError(error))
        await appendEvent(project.store.db, {}, EVENTS.dashboardAction, {
          token,
          action,
          target,
          error: error.message,
        });
      throw error;
    }
  }

  api.post("/factory/pause", async (c) => {
    const was = await act(c.get("tokenName"), "pause", null, () => setPaused(project, true));
    return c.json({ paused: true, was });
  });

  api.post("/factory/resume", async (c) => {
    const was = await act(c.get("tokenName"), "resume", null, () => setPaused(project, false));
    return c.json({ paused: false, was });
  });

  api.post("/runs/:id/cancel", async (c) => {
    const runId = idParam(c.req.param("id"), "run");
    const run = await act(c.get("tokenName"), "cancel-run", String(runId), () =>
      requestCancel(project, runId),
    );
    return c.json({ cancelling: run.id });
  });

  api.post("/runs/:id/resume", async (c) => {
    const runId = idParam(c.req.param("id"), "run");
    const launched = await act(c.get("tokenName"), "resume-run", String(runId), () =>
      resumeInBackground(project, runId),
    );
    return c.json({ resuming: runId, ...launched }, 202);
  });

  api.post("/items/:id/requeue", async (c) => {
    const itemId = idParam(c.req.param("id"), "item");
    const result = await act(c.get("tokenName"), "requeue-item", String(itemId), () =>
      requeueItem(project, itemId),
    );
    return c.json(result, "started" in result ? 202 : 200);
  });

  api.post("/roles/:name/tell", async (c) => {
    const role = c.req.param("name");
    const message = stringField(await c.req.json().catch(() => ({})), "message") ?? "";
    const item = await act(c.get("tokenName"), "tell-role", role, () => tellRole(project, role, message));
    return c.json({ told: role, item: item.id });
  });

  api.post("/runs/:id/discard", async (c) => {
    const runId = idParam(c.req.param("id"), "run");
    const { snapshotRef } = await act(c.get("tokenName"), "discard-run", String(runId), () =>
      discardRun(project, runId),
    );
    return c.json({ discarded: runId, snapshot: snapshotRef ?? null });
  });

  api.post("/vault/:id/approve", async (c) => {
    const id = c.req.param("id");
    const token = c.get("tokenName");
    return c.json(await act(token, "vault-approve", id, () => approve(openVault(project), id, token)));
  });

  api.post("/vault/:id/reject", async (c) => {
    const id = c.req.param("id");
    const token = c.get("tokenName");
    const reason = stringField(await c.req.json().catch(() => ({})), "reason");
    return c.json(await act(token, "vault-reject", id, () => reject(openVault(project), id, token, reason)));
  });

  return api;
}

/** A string field of a JSON body, if it has one. */
function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null || !(name in body)) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}
