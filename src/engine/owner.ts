import { hostname } from "node:os";
import { processStartTime } from "../util/index.ts";

/**
 * A token naming one gaffer process: host, pid and the process's start time, so a recycled pid
 * is not mistaken for the process that owned a run. A worker hosting several runs gives each its
 * own token, with the task's number after the process's (`hostedOwnerToken`).
 */
export function ownerToken(pid = process.pid): string {
  if (pid !== process.pid) return tokenOf(pid);
  ownToken ??= tokenOf(pid);
  return ownToken;
}

/** This process's token: its start time never changes, and every store open asks for it. */
let ownToken: string | undefined;

function tokenOf(pid: number): string {
  return `${hostname()}:${pid}:${processStartTime(pid) ?? "0"}`;
}

/** The owner token of one task among several a worker process hosts. */
export function hostedOwnerToken(task: number): string {
  return `${ownerToken()}:${task}`;
}

/** Whether the token names one task of a worker hosting several runs, not a whole process. */
export function isHostedOwner(token: string): boolean {
  return token.split(":").length > 3;
}

/** False only when the owner is provably gone: same host and no process with that pid and start time. */
export function isOwnerAlive(token: string): boolean {
  const [host, pid, started] = token.split(":");
  if (host !== hostname()) return true;
  const current = processStartTime(Number(pid));
  return current !== undefined && current === started;
}
