import { Hono } from "hono";
import { loadFactory } from "../config/index.ts";
import { isOwnerAlive } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { daemonStatus, factoryStatus } from "../factory/index.ts";
import {
  ACTIVE_STATES,
  EVENTS,
  findProposal,
  getItem,
  getRun,
  latestEventId,
  latestRunsOf,
  listAttempts,
  listEvents,
  listGateResults,
  listItems,
  listReviews,
  listRuns,
  type Proposal,
  recentEventsOfKinds,
  type Run,
  totalUsage,
} from "../store/index.ts";
import { findAction, listActions, readAudit, readVault } from "../vault/index.ts";
import type { WebContext } from "./context.ts";
import { laneOf, LANES } from "./lanes.ts";

const ALERTS = [
  EVENTS.stallNudged,
  EVENTS.stallRestarted,
  EVENTS.stallGaveUp,
  EVENTS.roleGaveUp,
  EVENTS.roleDied,
  EVENTS.runGaveUp,
  EVENTS.supervisorError,
  EVENTS.budgetExceeded,
];
const RECENT_RUNS = 200;
const EVENT_PAGE = 1000;

/** The read side of the JSON API: what the pages show, as the store and the vault hold it. */
export function readRoutes(ctx: WebContext): Hono {
  const { project } = ctx;
  const db = project.store.db;
  const api = new Hono();

  api.get("/status", async (c) => {
    const factory = loadFactory(project.root, project.config);
    const hasRoles = factory.roles.length > 0;
    const runs = (await listRuns(db)).map(shownState);
    const counts: Record<string, number> = {};
    for (const run of runs) counts[run.state] = (counts[run.state] ?? 0) + 1;
    const vault = listActions(readVault(project).paths);
    return c.json({
      root: project.root,
      factory: hasRoles ? factoryStatus(factory, project.paths.stateDir) : null,
      daemon: await daemonStatus(project.paths.stateDir, db, project.config),
      budget: project.config.budget,
      openItems: (await listItems(db, { state: "open" })).length,
      counts,
      active: runs.filter((run) => ACTIVE_STATES.includes(run.state)),
      vaultWaiting: vault.filter((a) => a.state === "pending").length,
      alerts: await recentEventsOfKinds(db, ALERTS, 20),
      lastEventId: await latestEventId(db),
    });
  });

  api.get("/items", async (c) => {
    const items = await listItems(db, { state: "all" });
    const latest = await latestRunsOf(
      db,
      items.map((item) => item.id),
    );
    const open = new Set(items.filter((item) => item.state === "open").map((item) => item.id));
    const board = await Promise.all(
      items.map(async (item) => {
        const run = latest.get(item.id);
        const proposal = run?.state === "proposed" ? await findProposal(db, run.id) : undefined;
        return { ...item, lane: laneOf(item, run && shownState(run), proposal, open), run: run ?? null };
      }),
    );
    return c.json({ lanes: LANES, items: board, lastEventId: await latestEventId(db) });
  });

  api.get("/runs", async (c) => {
    const runs = (await listRuns(db)).slice(-RECENT_RUNS).reverse().map(shownState);
    return c.json({ runs, lastEventId: await latestEventId(db) });
  });

  api.get("/runs/:id", async (c) => {
    const run = await getRun(db, idParam(c.req.param("id"), "run"));
    const proposal: Proposal | undefined = await findProposal(db, run.id);
    return c.json({
      run: shownState(run),
      item: await getItem(db, run.itemId),
      attempts: await listAttempts(db, run.id),
      gate: await listGateResults(db, run.id),
      proposal: proposal ?? null,
      reviews: await listReviews(db, run.id),
      usage: await totalUsage(db, { runId: run.id }),
    });
  });

  api.get("/runs/:id/events", async (c) => {
    const runId = idParam(c.req.param("id"), "run");
    await getRun(db, runId);
    const after = Number(c.req.query("after") ?? 0) || 0;
    return c.json(await listEvents(db, { runId, afterId: after, limit: EVENT_PAGE }));
  });

  api.get("/events", async (c) => {
    const after = Number(c.req.query("after") ?? 0) || 0;
    return c.json(await listEvents(db, { afterId: after, limit: EVENT_PAGE }));
  });

  api.get("/vault", (c) => {
    const all = c.req.query("all") !== undefined;
    const actions = listActions(readVault(project).paths).filter(
      (a) => all || a.state === "pending" || a.state === "approved",
    );
    return c.json(actions);
  });

  api.get("/vault/:id", (c) => {
    const id = c.req.param("id");
    const view = readVault(project);
    const action = findAction(view.paths, id);
    if (!action) throw new GafferError("usage", `no vault action ${id}`, "GET /api/vault?all lists them all");
    const history = readAudit(view.paths.audit).entries.filter((entry) => entry.action === id);
    return c.json({ ...action, history });
  });

  return api;
}

/** A run whose process is gone is shown as interrupted, as `gaffer status` does; the next writer records it. */
function shownState(run: Run): Run {
  return ACTIVE_STATES.includes(run.state) && run.owner && !isOwnerAlive(run.owner)
    ? { ...run, state: "interrupted" }
    : run;
}

export function idParam(text: string, what: "run" | "item"): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new GafferError("usage", `"${text}" is not a ${what} id`, `a ${what} id is a positive number`);
  return id;
}
