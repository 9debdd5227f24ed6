import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { projectPaths } from "../src/engine/index.ts";
import { addItem, listEvents, listRuns, openStore } from "../src/store/index.ts";
import { git } from "./fixture.ts";
import { round, type Summary, summarize } from "./stats.ts";

const BIN = fileURLToPath(new URL("../bin/gaffer.js", import.meta.url));

/** Raw `git clone --shared` plus checkout of a branch: the floor gaffer's workspace creation stands on. */
export function measureRawClone(repo: string, scratch: string, iterations: number): Summary {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const target = join(scratch, `clone-${i}`);
    const started = performance.now();
    git(scratch, "clone", "-q", "--shared", "--no-checkout", repo, target);
    git(target, "checkout", "-q", "-b", "bench", "main");
    samples.push(performance.now() - started);
    rmSync(target, { recursive: true, force: true });
  }
  return summarize(samples);
}

export interface GafferStart {
  toSessionMs: Summary;
  peakRssMb: Summary;
}

/**
 * `gaffer run <item>` as a user runs it: from spawning the CLI to the moment it hands the agent its
 * brief (the `agent.prompt` event), and the CLI process's peak RSS (VmHWM, polled).
 */
export async function measureGafferStart(repo: string, iterations: number): Promise<GafferStart> {
  const toSession: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const itemId = await fileItem(repo, `bench item ${i}`);
    const startedAt = Date.now();
    const peak = await runAndWatch(["run", String(itemId), "--agent", "bench", "--plain"], repo);
    const promptAt = await eventTime(repo, itemId, "agent.prompt");
    toSession.push(promptAt - startedAt);
    rss.push(peak / 1024);
  }
  return { toSessionMs: summarize(toSession), peakRssMb: summarize(rss.map(round)) };
}

async function fileItem(repo: string, title: string): Promise<number> {
  const store = await openStore(projectPaths(repo).database);
  try {
    return (await addItem(store.db, { title })).id;
  } finally {
    await store.close();
  }
}

async function eventTime(repo: string, itemId: number, type: string): Promise<number> {
  const store = await openStore(projectPaths(repo).database);
  try {
    const run = (await listRuns(store.db, { itemId })).at(-1);
    const event = run && (await listEvents(store.db, { runId: run.id })).find((e) => e.type === type);
    if (!event) throw new Error(`no ${type} event for item ${itemId}`);
    return event.at;
  } finally {
    await store.close();
  }
}

/** Runs the CLI to completion, returning its peak resident set in kB. */
function runAndWatch(args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let peak = 0;
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (hwm) peak = Math.max(peak, Number(hwm[1]));
      } catch {
        // The process just ended.
      }
    }, 10);
    child.on("close", (code) => {
      clearInterval(poll);
      if (code === 0) resolve(peak);
      else reject(new Error(`gaffer ${args.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}
