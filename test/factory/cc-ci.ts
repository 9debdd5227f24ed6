import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { pidDir, writePidFile } from "../../src/factory/pid-files.ts";
import { gitRepo } from "../helpers/git.ts";

/** cc-ci's agents.toml reconstructed (eight roles, nineteen phases), its prompts, and the golden outputs. */
export const CC_CI = fileURLToPath(new URL("fixtures/cc-ci/", import.meta.url));

/** cc-ci's status table as the engine printed it, whitespace collapsed, as the journal quotes it. */
export const SEED_STATUS = `phase: poe2e [19/19] plan=plan-phase-poe2e-end-to-end.md (in progress)
orchestrator persistent claude claude-opus-4-8 heal RUNNING
builder loop claude claude-opus-4-8 heal+stall RUNNING
adversary loop claude claude-sonnet-4-6 heal+stall RUNNING
assistant persistent claude claude-sonnet-4-6 none stopped (disabled)
upgrader task claude claude-sonnet-4-6 none RUNNING (disabled)
report task claude claude-opus-4-8 none RUNNING (disabled)
cleanlogs service - - - RUNNING
watchdog service - - - RUNNING`.split("\n");

/** The sessions alive on cc-ci's host when the table was captured ("assistant3" is not the assistant role's). */
export const LIVE_SESSIONS = [
  "cc-ci-adv",
  "cc-ci-assistant3",
  "cc-ci-cleanlogs",
  "cc-ci-builder",
  "cc-ci-orchestrator",
  "cc-ci-report",
  "cc-ci-upgrader",
  "cc-ci-watchdog",
];

/** A git repository holding cc-ci's agents.toml and prompts, with the engine's phase-idx at 18 (poe2e). */
export function ccCiProject(t: TestContext, phaseIndex = "18\n"): string {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.includes(".golden.")) files[relative(CC_CI, path)] = readFileSync(path, "utf8");
    }
  };
  walk(CC_CI);
  const dir = gitRepo(t, files);
  mkdirSync(join(dir, ".ao-state", "state"), { recursive: true });
  writeFileSync(join(dir, ".ao-state", "state", "phase-idx"), phaseIndex);
  return dir;
}

export function golden(name: string): string {
  return readFileSync(join(CC_CI, name), "utf8");
}

/** Real processes standing in for role sessions: one `sleep` each, with its pid file under `.gaffer/`. */
export function startSessions(t: TestContext, project: string, sessions: readonly string[]): ChildProcess[] {
  return sessions.map((session) => {
    const child = spawn("sleep", ["600"], { stdio: "ignore" });
    t.after(() => child.kill("SIGKILL"));
    writePidFile(pidDir(join(project, ".gaffer")), session, child.pid as number);
    return child;
  });
}
