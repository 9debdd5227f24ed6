import { readdirSync, readFileSync } from "node:fs";
import { diskUsage } from "./disk-usage.ts";

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
/** Sizing waits this many times as long as it last took before it sizes again, up to the gap below. */
const SIZING_SHARE_INVERSE = 10;
const MAX_SIZING_GAP_MS = 5000;

/**
 * Watches a run against its limits while it drives: wall clock, the disk its files take (the
 * workspace and every private place of its sandbox), and the number of processes its sandboxes
 * run. Output is metered as it arrives (OutputMeter). The first limit exceeded is reported once;
 * the caller stops the run with that reason.
 */
export function watchLimits(options: {
  limits: RunLimits;
  /** The directories whose files count toward `workspaceBytes`. */
  places: () => readonly string[];
  /** Output so far; the OutputMeter stops the run the moment it passes the limit, this only reports it. */
  outputBytes: () => number;
  processes: RunProcesses;
  onExceeded: (reason: string, usage: Usage) => void;
}): { stop(): void } {
  const { limits } = options;
  const started = Date.now();
  let workspaceBytes = 0;
  let reported = false;
  let measuring = false;
  const report = () => {
    const usage: Usage = {
      elapsedMs: Date.now() - started,
      outputBytes: options.outputBytes(),
      workspaceBytes,
      processes: options.processes.count(),
    };
    const reason = exceeded(limits, usage);
    if (!reason || reported) return;
    reported = true;
    options.onExceeded(reason, usage);
  };
  // Sizing can take a while on a busy disk: it runs beside the cheap checks, never holding them
  // up, and reports the moment it finds the budget gone. A large tree is sized less often (a
  // tenth of the time at most, yet at least every five seconds).
  let nextSizing = 0;
  const measureSize = () => {
    const places = options.places();
    if (measuring || places.length === 0 || Date.now() < nextSizing) return;
    measuring = true;
    const began = Date.now();
    diskUsage(places, { stopAbove: limits.workspaceBytes })
      .then((bytes) => {
        workspaceBytes = bytes;
        report();
      })
      .finally(() => {
        measuring = false;
        nextSizing = Date.now() + Math.min(MAX_SIZING_GAP_MS, (Date.now() - began) * SIZING_SHARE_INVERSE);
      });
  };
  const timer = setInterval(() => {
    if (reported) return;
    measureSize();
    report();
  }, POLL_MS);
  timer.unref();
  return {
    stop: () => {
      reported = true; // a measurement still under way reports nothing either
      clearInterval(timer);
    },
  };
}

export function exceeded(limits: RunLimits, usage: Usage): string | undefined {
  if (usage.elapsedMs > limits.runTimeoutMs)
    return `limit: the run took longer than ${Math.round(limits.runTimeoutMs / 1000)}s`;
  if (usage.outputBytes > limits.outputBytes) return outputReason(limits.outputBytes);
  if (usage.workspaceBytes > limits.workspaceBytes)
    return `limit: the workspace grew past ${limits.workspaceBytes} bytes (with the sandbox's /tmp, HOME, agent state and /dev/shm)`;
  if (usage.processes > limits.processes) return `limit: more than ${limits.processes} processes at once`;
  return undefined;
}

/** Why a run that went past `[limits] output_bytes` stopped. */
export function outputReason(outputBytes: number): string {
  return `limit: the agent wrote more than ${outputBytes} bytes of output`;
}

/**
 * The processes one run started in its sandboxes (the agent, its gates) and everything below
 * them. Each run counts its own, though a worker hosts several: they share one reading of /proc.
 */
export class RunProcesses {
  /** Each started process, with when it was added (a table read before then cannot show it yet). */
  private readonly roots = new Map<number, number>();

  add(pid: number): void {
    this.roots.set(pid, Date.now());
  }

  /** How many are running now, as far as the latest reading of /proc shows. */
  count(): number {
    if (this.roots.size === 0) return 0;
    const table = processTable();
    for (const [pid, added] of this.roots)
      if (added < table.readAt && !table.parents.has(pid)) this.roots.delete(pid);
    return countBelow(
      table.children,
      [...this.roots.keys()].filter((pid) => table.parents.has(pid)),
    );
  }
}

interface ProcessTable {
  readAt: number;
  parents: Map<number, number>;
  children: Map<number, number[]>;
}

let shared: ProcessTable | undefined;

/** The process table, read again once the last reading is older than half a watcher's poll. */
function processTable(): ProcessTable {
  if (!shared || Date.now() - shared.readAt >= POLL_MS / 2) shared = readProcessTable();
  return shared;
}

function readProcessTable(): ProcessTable {
  const readAt = Date.now();
  const parents = new Map<number, number>();
  const children = new Map<number, number[]>();
  let names: string[] = [];
  try {
    names = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return { readAt, parents, children };
  }
  for (const name of names) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(name), parent);
      const siblings = children.get(parent);
      if (siblings) siblings.push(Number(name));
      else children.set(parent, [Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  return { readAt, parents, children };
}

/** `roots` and everything below them. */
function countBelow(children: Map<number, number[]>, roots: number[]): number {
  let count = 0;
  const pending = [...roots];
  while (pending.length) {
    const next = pending.pop() as number;
    count++;
    pending.push(...(children.get(next) ?? []));
  }
  return count;
}
