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

/**
 * Watches a run against its limits while it drives: wall clock, the disk its files take (the
 * workspace and every private place of its sandbox), and the number of processes gaffer has
 * started (its descendants, sandboxed or not). Output is metered as it arrives (OutputMeter).
 * The first limit exceeded is reported once; the caller stops the run with that reason.
 */
export function watchLimits(options: {
  limits: RunLimits;
  /** The directories whose files count toward `workspaceBytes`. */
  places: () => readonly string[];
  /** Output so far; the OutputMeter stops the run the moment it passes the limit, this only reports it. */
  outputBytes: () => number;
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
      processes: countDescendants(process.pid),
    };
    const reason = exceeded(limits, usage);
    if (!reason || reported) return;
    reported = true;
    options.onExceeded(reason, usage);
  };
  // Sizing can take a while on a busy disk: it runs beside the cheap checks, never holding them
  // up, and reports the moment it finds the budget gone.
  const measureSize = () => {
    const places = options.places();
    if (measuring || places.length === 0) return;
    measuring = true;
    diskUsage(places, { stopAbove: limits.workspaceBytes })
      .then((bytes) => {
        workspaceBytes = bytes;
        report();
      })
      .finally(() => {
        measuring = false;
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
