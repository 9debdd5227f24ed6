import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times, and the page size of its RSS field. */
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const PAGE_KB = (Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim()) || 4096) / 1024;

export interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system CPU seconds of the process itself. */
  cpuS: number;
  /** user + system CPU seconds of its children it waited for (and theirs, recursively). */
  childrenCpuS: number;
  rssKb: number;
  /** Start time in clock ticks after boot: with the pid, it names one process even if the pid is reused. */
  startTicks: number;
}

/** /proc/<pid>/stat, or undefined when the process is gone. */
export function procStat(pid: number | "self"): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields start after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]);
  return {
    pid: pid === "self" ? process.pid : pid,
    ppid: field(4),
    cpuS: (field(14) + field(15)) / CLK_TCK,
    childrenCpuS: (field(16) + field(17)) / CLK_TCK,
    rssKb: field(24) * PAGE_KB,
    startTicks: field(22),
  };
}

/** A process's peak resident set (VmHWM) in kB; 0 when it is gone. */
export function peakRssKb(pid: number): number {
  try {
    const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return hwm ? Number(hwm[1]) : 0;
  } catch {
    return 0;
  }
}

/** Every live process, by pid. */
export function allProcesses(): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) all.set(stat.pid, stat);
  }
  return all;
}

/** The processes below `roots` (not the roots themselves), from one snapshot of /proc. */
export function descendants(roots: Iterable<number>, all = allProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of all.values()) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const found: ProcStat[] = [];
  const queue = [...roots];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Processes whose working directory is `dir` or inside it, as "pid: command line". */
export function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) {
        found.push(`${name}: ${readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`);
      }
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
