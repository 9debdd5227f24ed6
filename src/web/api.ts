import { existsSync } from "node:fs";
import { Hono } from "hono";
import { readFactory, locateFleet, readFleet } from "../config/index.ts";
import { isOwnerAlive } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { daemonStatus, factoryStatus, fleetStatus } from "../factory/index.ts";
import {
  ACTIVE_STATES,
  approvedProposals,
  countItems,
  countRunsByState,
  EVENTS,
  getRun,
  latestEventId,
  latestRunsOf,
  listEvents,
  listItemHeads,
  listRuns,
  recentEventsOfKinds,
  recentRuns,
  type Run,
} from "../store/index.ts";
import { findAction, listActions, readAudit, readVault } from "../vault/index.ts";
import type { WebContext } from "./context.ts";
import { laneOf, LANES } from "./lanes.ts";
import { runDetail, runDiff } from "./run-detail.ts";

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
/** The most any list answers at once; `?limit=` asks for fewer. */
const PAGES = { runs: 200, events: 1000, lane: 100 };

/** The read side of the JSON API: what the pages show, as the store and the vault hold it. */
export function readRoutes(ctx: WebContext): Hono {
  const { project } = ctx;
  const db = project.store.db;
  const api = new Hono();

  api.get("/status", async (c) => {
    const factory = await readFactory(project.root, project.config);
    const hasRoles = factory.roles.length > 0;
    const counts: Record<string, number> = await countRunsByState(db);
    const active = [];
    for (const run of await listRuns(db, { states: ACTIVE_STATES })) {
      const shown = shownState(run);
      if (shown.state === run.state) active.push(run);
      else {
        counts[run.state] = (counts[run.state] ?? 1) - 1;
        counts[shown.state] = (counts[shown.state] ?? 0) + 1;
        if (counts[run.state] === 0) delete counts[run.state];
      }
    }
    const vault = listActions(readVault(project).paths);
    return c.json({
      root: project.root,
      factory: hasRoles ? factoryStatus(factory, project.paths.stateDir) : null,
      daemon: await daemonStatus(project.paths.stateDir, db, project.config),
      budget: project.config.budget,
      openItems: await countItems(db, "open"),
      counts,
      active,
      vaultWaiting: vault.filter((a) => a.state === "pending").length,
      alerts: await recentEventsOfKinds(db, ALERTS, 20),
      lastEventId: await latestEventId(db),
    });
  });

  api.get("/items", async (c) => {
    const perLane = limitOf(c.req.query("limit"), PAGES.lane);
    const items = await listItemHeads(db);
    const latest = await latestRunsOf(
      db,
      items.map((item) => item.id),
    );
    const proposed = [...latest.values()].filter((run) => run.state === "proposed").map((run) => run.id);
    const approved = await approvedProposals(db, proposed);
    const open = new Set(items.filter((item) => item.state === "open").map((item) => item.id));
    const counts = Object.fromEntries(LANES.map((lane) => [lane, 0]));
    const board = items.flatMap((item) => {
      const run = latest.get(item.id);
      const review = run && approved.has(run.id) ? { review: "approved" } : undefined;
      const lane = laneOf(item, run && shownState(run), review, open);
      counts[lane] = (counts[lane] ?? 0) + 1;
      if ((counts[lane] ?? 0) > perLane) return [];
      return [{ ...item, lane, run: run ?? null }];
    });
    return c.json({ lanes: LANES, counts, items: board, lastEventId: await latestEventId(db) });
  });

  api.get("/runs", async (c) => {
    const before = c.req.query("before");
    const runs = await recentRuns(db, {
      limit: limitOf(c.req.query("limit"), PAGES.runs),
      ...(before !== undefined && { beforeId: idParam(before, "run") }),
    });
    return c.json({ runs: runs.map(shownState), lastEventId: await latestEventId(db) });
  });

  api.get("/runs/:id", async (c) =>
    c.json(await runDetail(project, idParam(c.req.param("id"), "run"), shownState)),
  );

  api.get("/runs/:id/diff", async (c) => {
    const runId = idParam(c.req.param("id"), "run");
    return c.json((await runDiff(project, runId)) ?? { lines: [], truncated: false, none: true });
  });

  api.get("/runs/:id/events", async (c) => {
    const runId = idParam(c.req.param("id"), "run");
    await getRun(db, runId);
    return c.json(
      await listEvents(db, {
        runId,
        afterId: afterOf(c.req.query("after")),
        limit: limitOf(c.req.query("limit"), PAGES.events),
      }),
    );
  });

  api.get("/events", async (c) =>
    c.json(
      await listEvents(db, {
        afterId: afterOf(c.req.query("after")),
        limit: limitOf(c.req.query("limit"), PAGES.events),
      }),
    ),
  );

  /** The fleet this project is found with, as `gaffer fleet status` finds it ($GAFFER_FLEET, ./fleet.toml, ~/.config). */
  api.get("/fleet", async (c) => {
    const file = locateFleet(undefined, project.root);
    if (!existsSync(file)) return c.json({ file, projects: null });
    return c.json({ file, projects: await fleetStatus(readFleet(file)) });
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

function afterOf(text: string | undefined): number {
  return Number(text ?? 0) || 0;
}

/** `?limit=`: a positive number, at most `most` (the default). */
function limitOf(text: string | undefined, most: number): number {
  if (text === undefined) return most;
  const limit = Number(text);
  if (!Number.isSafeInteger(limit) || limit <= 0)
    throw new GafferError("usage", `limit "${text}" is not a positive number`, `at most ${most}`);
  return Math.min(limit, most);
}
