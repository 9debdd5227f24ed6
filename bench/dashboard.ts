import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { sql } from "kysely";
import { projectPaths } from "../src/engine/index.ts";
import { addItem, listEvents, listRuns, openStore, type Db } from "../src/store/index.ts";
import { launchChromium } from "../test/helpers/browser.ts";
import { git } from "./fixture.ts";
import { percentile, round, summarize } from "./stats.ts";

const BIN = fileURLToPath(new URL("../bin/gaffer.js", import.meta.url));

export interface DashboardBenchOptions {
  runs: number;
  events: number;
  /** Page loads per page and store. */
  loads: number;
  /** Scripted agents at work while the event-to-screen latency is measured: one measurement per count. */
  agents: number[];
  timeoutMs: number;
}

/**
 * The dashboard against a big store and a busy factory: first contentful paint and the time to the
 * page drawn with its data, for the overview and the board on a store of `runs` runs and `events`
 * events against the same pages on an empty store (measured in the same run); then, with each count
 * of `agents` scripted agents working under `gaffer up --dashboard`, how long each event takes to
 * reach the overview drawn in chromium.
 */
export async function measureDashboard(scratch: string, options: DashboardBenchOptions) {
  const browser = await launchChromium();
  try {
    const empty = await project(scratch, "empty", 1);
    const big = await project(scratch, "big", 1);
    process.stderr.write(`filling a store with ${options.runs} runs and ${options.events} events…\n`);
    const fillMs = await fill(big, options.runs, options.events);
    const loads = {
      empty: await pageLoads(browser, empty, options),
      big: await pageLoads(browser, big, options),
    };
    const ratio = (page: "overview" | "board", what: "fcpMs" | "drawnMs") =>
      round(loads.big[page][what].median / Math.max(1, loads.empty[page][what].median));
    const live = [];
    for (const agents of options.agents) {
      process.stderr.write(`event → screen with ${agents} scripted agents under gaffer up…\n`);
      live.push(
        await liveLatency(browser, await project(scratch, `live-${agents}`, agents), agents, options),
      );
    }
    return {
      store: { runs: options.runs, events: options.events, fillMs: round(fillMs) },
      loads: options.loads,
      pageLoad: loads,
      ratios: {
        overviewFcp: ratio("overview", "fcpMs"),
        overviewDrawn: ratio("overview", "drawnMs"),
        boardFcp: ratio("board", "fcpMs"),
        boardDrawn: ratio("board", "drawnMs"),
      },
      live,
      goal: { fcpMs: 300, eventToScreenP95Ms: 100 },
      meetsGoal:
        loads.big.overview.fcpMs.median <= 300 &&
        loads.big.board.fcpMs.median <= 300 &&
        live.every((measured) => measured.eventToScreenMs.p95 <= 100),
    };
  } finally {
    await browser.close();
  }
}

/** A small project whose builder takes `agents` items at once, each a scripted agent saying and sleeping. */
async function project(scratch: string, name: string, agents: number): Promise<string> {
  const dir = realpathSync(mkdtempSync(join(scratch, `${name}-`)));
  writeFileSync(join(dir, "README.md"), "bench\n");
  writeFileSync(
    join(dir, "gaffer.toml"),
    `[sandbox]\nmode = "preferred"\n\n[[gate.commands]]\nname = "check"\nrun = "true"\n\n[factory]\nmax_concurrency = ${agents}\n\n[roles.builder]\nkind = "loop"\nconcurrency = ${agents}\n`,
  );
  writeFileSync(join(dir, ".gitignore"), ".gaffer/\n");
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "bench");
  return dir;
}

/**
 * One item per run, the runs spread over the states a long-lived project has, and the events spread
 * over the runs, written in bulk by SQL: what years of a busy factory leave in the store.
 */
async function fill(dir: string, runs: number, events: number): Promise<number> {
  const started = performance.now();
  const store = await openStore(projectPaths(dir).database);
  try {
    const db: Db = store.db;
    const now = Date.now();
    await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${runs})
      INSERT INTO items (title, body, labels, priority, depends_on, state, source, created_at, updated_at)
      SELECT 'item ' || i, 'the body of item ' || i, '[]', 0, '[]',
        CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'open' END, NULL, ${now} - i * 1000, ${now} - i * 1000 FROM n`.execute(
      db,
    );
    await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${runs})
      INSERT INTO runs (item_id, state, agent, branch, base_branch, base_commit, workspace, attempt,
        max_fix_attempts, owner, reason, report_path, sandbox, role, created_at, updated_at, ended_at)
      SELECT i, CASE i % 4 WHEN 0 THEN 'proposed' WHEN 1 THEN 'gave-up' WHEN 2 THEN 'discarded' ELSE 'failed' END,
        'scripted', 'gaffer/' || i, 'main', ${"0".repeat(40)}, '', 1, 2, NULL, NULL, NULL, 'bwrap', 'builder',
        ${now} - i * 1000, ${now} - i * 1000, ${now} - i * 1000 FROM n`.execute(db);
    await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${events})
      INSERT INTO events (run_id, item_id, type, at, data)
      SELECT (i % ${runs}) + 1, (i % ${runs}) + 1,
        CASE i % 5 WHEN 0 THEN 'agent.tool-call' WHEN 1 THEN 'gate.command' ELSE 'agent.message' END,
        ${now} - ${events} + i, '{"text":"a line the agent said"}' FROM n`.execute(db);
  } finally {
    await store.close();
  }
  return performance.now() - started;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function answers(url: string): Promise<boolean> {
  return fetch(`${url}api/status`).then(
    (response) => response.ok,
    () => false,
  );
}

/** `gaffer serve` in `dir`, once it answers. */
async function serve(dir: string, timeoutMs: number): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "serve", "--port", String(port)], {
    cwd: dir,
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitUntil(() => answers(url), "gaffer serve", timeoutMs);
  return { url, child };
}

/** Each page loaded `loads` times in a fresh page: FCP from chromium's paint entries, and the page drawn with its data. */
async function pageLoads(browser: Browser, dir: string, options: DashboardBenchOptions) {
  const { url, child } = await serve(dir, options.timeoutMs);
  try {
    const result: Record<
      "overview" | "board",
      { fcpMs: ReturnType<typeof summarize>; drawnMs: ReturnType<typeof summarize> }
    > = {} as never;
    for (const [page, hash] of [
      ["overview", "#/"],
      ["board", "#/board"],
    ] as const) {
      const fcp: number[] = [];
      const drawn: number[] = [];
      for (let i = 0; i < options.loads + 1; i++) {
        const tab = await browser.newPage();
        await tab.goto(`${url}${hash}`);
        await tab.locator(`body[data-page="${page}"]`).waitFor({ timeout: options.timeoutMs });
        const times = await tab.evaluate(() => ({
          fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
          drawn: performance.getEntriesByName("gaffer:drawn")[0]?.startTime ?? NaN,
        }));
        await tab.close();
        if (i === 0) continue; // the first load warms the server and chromium's caches
        fcp.push(times.fcp);
        drawn.push(times.drawn);
      }
      result[page] = { fcpMs: summarize(fcp), drawnMs: summarize(drawn) };
    }
    return result;
  } finally {
    child.kill("SIGTERM");
  }
}

/**
 * `agents` items, each a scripted agent saying something and sleeping a few times, under
 * `gaffer up --dashboard`, with the overview open: each event's time from its append (its `at`) to
 * the first time the page is drawn from a read that includes it (`data-drawn-event-id`).
 */
async function liveLatency(browser: Browser, dir: string, agents: number, options: DashboardBenchOptions) {
  const store = await openStore(projectPaths(dir).database);
  const steps = Array.from({ length: 8 }, (_, n) => `{ say = "step ${n}" }, { sleep = 500 }`).join(", ");
  for (let i = 1; i <= agents; i++)
    await addItem(store.db, {
      title: `live ${i}`,
      body: `live ${i}\n\n\`\`\`scenario\n[[attempts]]\nsteps = [${steps}, { write = "live-${i}.txt", content = "${i}\\n" }]\n\`\`\`\n`,
    });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const tab = await browser.newPage();
  try {
    const up = spawn(process.execPath, [BIN, "up", "--dashboard", "--port", String(port)], {
      cwd: dir,
      stdio: "ignore",
    });
    await new Promise((resolve) => up.once("exit", resolve));
    await waitUntil(() => answers(url), "gaffer up --dashboard", options.timeoutMs);
    await tab.goto(url);
    await tab.locator("#live[data-state=live]").waitFor();
    const from = Number(await tab.locator("body").getAttribute("data-drawn-event-id"));
    // Every time the page is drawn, which event it was current to and when (the page's clock is this machine's).
    await tab.evaluate(`(() => {
      window.drawn = [];
      new MutationObserver(() => window.drawn.push([Number(document.body.dataset.drawnEventId), Date.now()]))
        .observe(document.body, { attributes: true, attributeFilter: ["data-drawn-event-id"] });
    })()`);
    await waitUntil(
      async () => (await listRuns(store.db)).filter((run) => run.state === "proposed").length >= agents,
      "every live run proposed",
      options.timeoutMs,
    );
    // The last events drawn too.
    const last = (await listEvents(store.db, { afterId: from })).at(-1)?.id ?? from;
    await tab.locator("body").evaluate(
      (body, id) =>
        new Promise<void>((resolve) => {
          const check = () => (Number(body.dataset.drawnEventId) >= id ? resolve() : setTimeout(check, 20));
          check();
        }),
      last,
    );
    const drawn = (await tab.evaluate("window.drawn")) as [number, number][];
    const events = await listEvents(store.db, { afterId: from });
    const latencies = events.flatMap((event) => {
      const shown = drawn.find(([id]) => id >= event.id);
      return shown ? [shown[1] - event.at] : [];
    });
    return {
      agents,
      events: events.length,
      draws: drawn.length,
      eventToScreenMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        max: percentile(latencies, 100),
      },
    };
  } finally {
    await tab.close();
    await new Promise((resolve) =>
      spawn(process.execPath, [BIN, "down"], { cwd: dir, stdio: "ignore" }).once("exit", resolve),
    );
    await store.close();
  }
}
