import { readFileSync } from "node:fs";

/**
 * Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot. With the pid it
 * names one process for good, so a recycled pid is not mistaken for a dead owner.
 * Undefined when there is no such process (or no /proc).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
