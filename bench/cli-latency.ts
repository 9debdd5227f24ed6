import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { projectPaths } from "../src/engine/index.ts";
import { addItem, appendEvent, type Db, EVENTS, openStore } from "../src/store/index.ts";
import { git } from "./fixture.ts";
import { percentile, type Summary, round, summarize } from "./stats.ts";
import { fill } from "./tick-queries.ts";

const LAUNCHER = fileURLToPath(new URL("../bin/gaffer", import.meta.url));

export interface CliLatencyOptions {
  /** Proposed runs of the project's past, each of its own closed item. */
  runs: number;
  /** Items at work, each with a run and its events. */
  building: number;
  iterations: number;
}

/**
 * How long a user waits for read commands, started through `bin/gaffer` as from a shell on a
 * project whose store holds `runs` finished runs: `--version`, `status`, `status --json` and
 * `issue list`, interleaved, against a bare `node -e 0` measured in the same run (the floor any
 * Node program pays).
 */
export async function measureCliLatency(scratch: string, options: CliLatencyOptions) {
  const project = initProject(join(scratch, "project"));
  const store = await openStore(projectPaths(project).database);
  try {
    await fill(store.db, { closedItems: options.runs, children: options.building, eventsPerRun: 20 });
  } finally {
    await store.close();
  }
  const commands: Record<string, string[]> = {
    version: ["--version"],
    status: ["status"],
    statusJson: ["status", "--json"],
    issueList: ["issue", "list"],
  };
  for (const args of Object.values(commands)) run(args, project); // warms the compile cache
  const node: number[] = [];
  const samples = new Map(Object.keys(commands).map((name) => [name, [] as number[]]));
  for (let i = 0; i < options.iterations; i++) {
    node.push(timed(() => spawnSync(process.execPath, ["-e", "0"])));
    for (const [name, args] of Object.entries(commands))
      samples.get(name)?.push(timed(() => run(args, project)));
  }
  const nodeMs = summarize(node);
  const ms: Record<string, Summary> = { node: nodeMs };
  const overNodeMs: Record<string, number> = {};
  for (const [name, taken] of samples) {
    ms[name] = summarize(taken);
    overNodeMs[name] = round((ms[name]?.median ?? 0) - nodeMs.median);
  }
  return { store: { runs: options.runs + options.building, events: options.building * 20 }, ms, overNodeMs };
}

/** An empty repository with one commit, `gaffer init`ed. */
function initProject(project: string): string {
  mkdirSync(project);
  git(project, "init", "-q", "-b", "main");
  git(
    project,
    "-c",
    "user.name=bench",
    "-c",
    "user.email=bench@localhost",
    "commit",
    "-q",
    "--allow-empty",
    "-m",
    "start",
  );
  run(["init"], project);
  return project;
}

function run(args: string[], cwd: string): void {
  const result = spawnSync(LAUNCHER, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (result.status !== 0)
    throw new Error(`gaffer ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
}

function timed(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/**
 * How soon `gaffer status --watch --json` shows a change another process committed: an item is
 * filed `samples` times, each time measured from its commit to the frame that counts it, while
 * `agents` runs append an agent's message every `everyMs` each (the event stream of agents at work,
 * written by this process as their workers would). The watch's interval is a day, so only the
 * store's notifications can wake it.
 */
export async function measureWatchLatency(
  scratch: string,
  options: { agents: number; everyMs: number; samples: number },
) {
  const project = initProject(join(scratch, "watched"));
  const store = await openStore(projectPaths(project).database);
  const building = await fill(store.db, { closedItems: 0, children: options.agents, eventsPerRun: 1 });
  const watcher = spawn(LAUNCHER, ["status", "--watch", "--json", "--interval", "24h"], {
    cwd: project,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const frames = createInterface({ input: watcher.stdout })[Symbol.asyncIterator]();
  const openItems = async () =>
    (JSON.parse((await frames.next()).value as string) as { openItems: number }).openItems;
  const load = setInterval(() => void agentsTalk(store.db, building), options.everyMs);
  try {
    const before = await openItems();
    const latencies: number[] = [];
    for (let i = 0; i < options.samples; i++) {
      await addItem(store.db, { title: `watched ${i}` });
      const committed = performance.now();
      while ((await openItems()) < before + i + 1);
      latencies.push(performance.now() - committed);
    }
    return {
      agents: options.agents,
      eventsPerSecond: round((options.agents * 1000) / options.everyMs),
      samples: options.samples,
      latencyMs: summarize(latencies),
      p95Ms: round(percentile(latencies, 95)),
    };
  } finally {
    clearInterval(load);
    watcher.kill();
    await store.close();
  }
}

/** One message from each agent at work, each in its own commit as a worker writes it. */
async function agentsTalk(db: Db, items: number[]): Promise<void> {
  for (const [index, itemId] of items.entries()) {
    await appendEvent(db, { runId: index + 1, itemId }, EVENTS.agentMessage, {
      attempt: 1,
      kind: "message",
      text: "working",
    });
  }
}
