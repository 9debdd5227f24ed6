import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** A live process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  cwd: string;
  command: string;
}

/** Every process of this user that /proc lets us read, zombies left out. */
export function listProcesses(): ProcessInfo[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (state === "Z" || state === "X") return [];
        return [
          {
            pid: Number(name),
            ppid: Number(ppid),
            cwd: readlinkSync(`/proc/${name}/cwd`),
            command: readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ").trim(),
          },
        ];
      } catch {
        return []; // gone, or not ours to read
      }
    });
}

/** Processes working inside `dir` (their working directory is it or below it), as `pid: command`. */
export function processesIn(dir: string): string[] {
  return listProcesses()
    .filter((p) => p.cwd === dir || p.cwd.startsWith(`${dir}/`))
    .map((p) => `${p.pid}: ${p.command}`);
}
