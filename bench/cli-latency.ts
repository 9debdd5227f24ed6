import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { projectPaths } from "../src/engine/index.ts";
import { openStore } from "../src/store/index.ts";
import { git } from "./fixture.ts";
import { type Summary, round, summarize } from "./stats.ts";
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
  const project = join(scratch, "project");
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
