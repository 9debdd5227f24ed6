import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The supervisor's switches, as files any tool can create: `paused` holds back new work (the kill
 * switch), `stop` brings the supervisor down as `gaffer down` does.
 */
export function controlFiles(stateDir: string): { paused: string; stop: string } {
  return { paused: join(stateDir, "factory", "paused"), stop: join(stateDir, "factory", "stop") };
}

export function readPaused(stateDir: string): boolean {
  return existsSync(controlFiles(stateDir).paused);
}
