import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { projectPaths } from "../src/engine/index.ts";
import { addItem, listEvents, listRuns, openStore } from "../src/store/index.ts";
import { git } from "./fixture.ts";
import { round } from "./stats.ts";

const BIN = fileURLToPath(new URL("../bin/gaffer.js", import.meta.url));

/** Raw `git clone --shared` plus checkout of a branch, in ms: the floor gaffer's workspace creation stands on. */
export function measureRawClone(repo: string, scratch: string): number {
  const target = join(scratch, "raw-clone");
  const started = performance.now();
  git(scratch, "clone", "-q", "--shared", "--no-checkout", repo, target);
  git(target, "checkout", "-q", "-b", "bench", "main");
  const elapsed = performance.now() - started;
  rmSync(target, { recursive: true, force: true });
  return elapsed;
}

export interface GafferStart {
  /** From spawning the CLI to the agent's brief. */
  toSessionMs: number;
  /** From spawning the CLI to the agent's first update (its process started, its session open, its turn begun). */
  toAgentUpdateMs: number;
  /** From the run's creation to its workspace (cloned, or taken from the warm pool). */
  workspaceMs: number;
  /**
   * Where the rest goes: spawning the CLI to the run's creation (Node, modules, store, checks),
   * the workspace to its confinement (`workspace.ready`), and that to the brief (the work's first
   * record, the brief).
   */
  phasesMs: { toRunCreated: number; confinement: number; toBrief: number };
  /** Whether the run took a warm clone. */
  warm: boolean;
  peakRssMb: number;
}

/**
 * `gaffer run <item>` as a user runs it: from spawning the CLI to the moment it hands the agent its
 * brief (the `agent.prompt` event), and the CLI process's peak RSS (VmHWM, polled). With a warm
 * pool the CLI returns once its refill is done, so the next sample finds the pool full again.
 */
export async function measureGafferStart(repo: string, index: number): Promise<GafferStart> {
  const itemId = await fileItem(repo, `bench item ${index}`);
  const startedAt = Date.now();
  const { peak } = await runAndWatch(["run", String(itemId), "--agent", "bench", "--plain"], repo);
  const { runId, events } = await eventsOfItem(repo, itemId);
  const at = (type: string) => {
    const event = events.find((e) => e.type === type);
    if (!event) throw new Error(`no ${type} event for item ${itemId}`);
    return event;
  };
  const created = at("workspace.created");
  // Removed like the raw clone's tree, so neither side pays for the other's leftovers.
  rmSync(projectPaths(repo).workspace(runId), { recursive: true, force: true });
  const prompted = at("agent.prompt");
  const update = events.find((e) => e.at >= prompted.at && e.type.startsWith("agent.") && e !== prompted);
  if (!update) throw new Error(`no agent update after the brief for item ${itemId}`);
  return {
    toSessionMs: prompted.at - startedAt,
    toAgentUpdateMs: update.at - startedAt,
    workspaceMs: created.at - at("run.created").at,
    phasesMs: {
      toRunCreated: at("run.created").at - startedAt,
      confinement: at("workspace.ready").at - created.at,
      toBrief: at("agent.prompt").at - at("workspace.ready").at,
    },
    warm: (created.data as { warm?: boolean }).warm === true,

    peakRssMb: round(peak / 1024),
  };
}

/** Sets `[workspace] warm` in the benchmark repository's gaffer.toml (its work tree only). */
export function setWarm(repo: string, size: number): void {
  const file = join(repo, "gaffer.toml");
  const text = readFileSync(file, "utf8").replace(/\n\[workspace\]\nwarm = \d+\n$/, "\n");
  writeFileSync(file, `${text}\n[workspace]\nwarm = ${size}\n`);
}

/**
 * `gaffer warm`: fills the pool and readies the standby process before a warm sample; returns how
 * long it took, in ms, and the standby's pid (a sample it served leaves another one ready).
 */
export async function fillPool(repo: string): Promise<{ fillMs: number; standby: number | null }> {
  const started = performance.now();
  const { stdout } = await runAndWatch(["warm", "--json"], repo);
  const { standby } = JSON.parse(stdout) as { standby: number | null };
  return { fillMs: round(performance.now() - started), standby };
}

async function fileItem(repo: string, title: string): Promise<number> {
  const store = await openStore(projectPaths(repo).database);
  try {
    return (await addItem(store.db, { title })).id;
  } finally {
    await store.close();
  }
}

async function eventsOfItem(
  repo: string,
  itemId: number,
): Promise<{ runId: number; events: { type: string; at: number; data: unknown }[] }> {
  const store = await openStore(projectPaths(repo).database);
  try {
    const run = (await listRuns(store.db, { itemId })).at(-1);
    if (!run) throw new Error(`no run for item ${itemId}`);
    return { runId: run.id, events: await listEvents(store.db, { runId: run.id }) };
  } finally {
    await store.close();
  }
}

/** Runs the CLI to completion, returning its output and peak resident set in kB. */
function runAndWatch(args: string[], cwd: string): Promise<{ stdout: string; peak: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let peak = 0;
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
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
      if (code === 0) resolve({ stdout, peak });
      else reject(new Error(`gaffer ${args.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}
