import { readFileSync } from "node:fs";

/**
 * Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot. With the pid it
 * names one process for good, so a recycled pid is not mistaken for a dead owner.
 * Undefined when there is no such process (or no /proc), and for a process that has exited but
 * is not yet reaped (a zombie): it will never run again, so it owns nothing.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return EXITED_STATES.has(fields[0] ?? "") ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** /proc states of a process that has exited: zombie, dead. */
const EXITED_STATES = new Set(["Z", "X", "x"]);
