import { spawn } from "node:child_process";
import type { Fleet, FleetProject } from "../config/index.ts";
import { gafferCommand } from "../util/index.ts";

export interface FleetRunResult {
  name: string;
  /** null when the project is disabled and was left alone. */
  exitCode: number | null;
}

/**
 * Runs `gaffer -C <path> <verb>` for each enabled project, one after another, its output going
 * straight to ours; disabled projects are skipped.
 */
export async function runInEachProject(
  fleet: Fleet,
  verb: "up" | "down",
  onProject: (project: FleetProject) => void,
): Promise<FleetRunResult[]> {
  const results: FleetRunResult[] = [];
  for (const project of fleet.projects) {
    onProject(project);
    results.push({ name: project.name, exitCode: project.enabled ? await gaffer(project.path, verb) : null });
  }
  return results;
}

function gaffer(cwd: string, verb: string): Promise<number> {
  return new Promise((resolve) => {
    const [program, ...args] = gafferCommand("-C", cwd, verb) as [string, ...string[]];
    const child = spawn(program, args, {
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
