import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isOwnerAlive, ownerToken } from "../engine/index.ts";

/**
 * One file per live role process under `.gaffer/factory/pids/`: `<session>.pid` for a single
 * process, `<session>.<n>.pid` for the n-th of a role with concurrency. Each holds the process's
 * owner token (host, pid, start time), so a recycled pid never passes for a live role.
 */
export interface PidFile {
  name: string;
  session: string;
  pid: number;
  /** The owner token it holds: host, pid and start time. */
  owner: string;
  alive: boolean;
}

export function pidDir(stateDir: string): string {
  return join(stateDir, "factory", "pids");
}

export function writePidFile(dir: string, name: string, pid: number): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.pid`);
  writeFileSync(`${file}.tmp`, `${ownerToken(pid)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removePidFile(dir: string, name: string): void {
  rmSync(join(dir, `${name}.pid`), { force: true });
}

/** Every pid file, live or not; nothing when the directory does not exist. Reads only. */
export function readPidFiles(dir: string): PidFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".pid"));
  } catch {
    return [];
  }
  return names.flatMap((file) => {
    const name = file.slice(0, -".pid".length);
    let token: string;
    try {
      token = readFileSync(join(dir, file), "utf8").trim();
    } catch {
      return [];
    }
    const pid = Number(token.split(":")[1]);
    if (!Number.isInteger(pid) || pid <= 0) return [];
    return [{ name, session: name.replace(/\.\d+$/, ""), pid, owner: token, alive: isOwnerAlive(token) }];
  });
}

/** True when some process of this session is alive. */
export function isSessionRunning(dir: string, session: string): boolean {
  return readPidFiles(dir).some((file) => file.session === session && file.alive);
}
