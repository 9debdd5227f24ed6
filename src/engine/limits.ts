import { readdirSync, readFileSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export interface RunLimits {
  runTimeoutMs: number;
  outputBytes: number;
  workspaceBytes: number;
  processes: number;
}

/** What a run has used so far, as far as the watcher can see. */
export interface Usage {
  elapsedMs: number;
  outputBytes: number;
  workspaceBytes: number;
  processes: number;
}

const POLL_MS = 1000;
const SIZE_EVERY = 5;

/**
 * Watches a run against its limits while it drives: wall clock, agent output, workspace size and
 * the number of processes gaffer has started (its descendants, sandboxed or not). The first limit
 * exceeded is reported once; the caller stops the run with that reason.
 */
export function watchLimits(options: {
  limits: RunLimits;
  workspace: () => string;
  outputBytes: () => number;
  onExceeded: (reason: string, usage: Usage) => void;
}): { stop(): void } {
  const started = Date.now();
  let tick = 0;
  let workspaceBytes = 0;
  let reported = false;
  let measuring = false;
  const measureSize = () => {
    const workspace = options.workspace();
    if (measuring || !workspace) return;
    measuring = true;
    directorySize(workspace)
      .then((bytes) => {
        workspaceBytes = bytes;
      })
      .finally(() => {
        measuring = false;
      });
  };
  // Sizing a workspace can be slow on a busy disk: it runs beside the cheap checks, never holding them up.
  const check = () => {
    if (reported) return;
    if (tick++ % SIZE_EVERY === 0) measureSize();
    const usage: Usage = {
      elapsedMs: Date.now() - started,
      outputBytes: options.outputBytes(),
      workspaceBytes,
      processes: countDescendants(process.pid),
    };
    const reason = exceeded(options.limits, usage);
    if (reason && !reported) {
      reported = true;
      options.onExceeded(reason, usage);
    }
  };
  const timer = setInterval(check, POLL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export function exceeded(limits: RunLimits, usage: Usage): string | undefined {
  if (usage.elapsedMs > limits.runTimeoutMs)
    return `limit: the run took longer than ${Math.round(limits.runTimeoutMs / 1000)}s`;
  if (usage.outputBytes > limits.outputBytes)
    return `limit: the agent wrote more than ${limits.outputBytes} bytes of output`;
  if (usage.workspaceBytes > limits.workspaceBytes)
    return `limit: the workspace grew past ${limits.workspaceBytes} bytes`;
  if (usage.processes > limits.processes) return `limit: more than ${limits.processes} processes at once`;
  return undefined;
}

/** Bytes of every file under a directory (not following symlinks). */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(path);
    else total += (await lstat(path).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/** Processes descending from `pid`, read from /proc (0 where /proc is not available). */
export function countDescendants(pid: number): number {
  const children = new Map<number, number[]>();
  let names: string[] = [];
  try {
    names = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let count = 0;
  const pending = [...(children.get(pid) ?? [])];
  while (pending.length) {
    const next = pending.pop() as number;
    count++;
    pending.push(...(children.get(next) ?? []));
  }
  return count;
}
