import { locateFleet, readFleet } from "../../config/index.ts";
import { fleetStatus as readFleetStatus, runInEachProject, validateFleet } from "../../factory/index.ts";
import { color, formatTable, plural, print, printJson } from "../output.ts";
import { printable } from "../../util/index.ts";

/** The fleet file is `--fleet`, else $GAFFER_FLEET, else ./fleet.toml, else ~/.config/gaffer/fleet.toml. */
interface FleetOptions {
  fleet?: string;
  json?: boolean;
}

/** `gaffer fleet validate`: every project's path, repository and configuration. Reads only. */
export async function fleetValidate(cwd: string, options: FleetOptions): Promise<number> {
  const fleet = readFleet(locateFleet(options.fleet, cwd));
  await validateFleet(fleet);
  if (options.json) printJson({ ok: true, file: fleet.file, projects: fleet.projects.length });
  else print(`OK, ${plural(fleet.projects.length, "project")}`);
  return 0;
}

/** `gaffer fleet status`: per project, its daemon, roles, open items and proposals. Reads only. */
export async function fleetStatus(cwd: string, options: FleetOptions): Promise<number> {
  const fleet = readFleet(locateFleet(options.fleet, cwd));
  const projects = await readFleetStatus(fleet);
  if (options.json) {
    printJson({ file: fleet.file, projects });
    return 0;
  }
  print(color.bold(`fleet · ${fleet.file}`));
  print(
    formatTable(
      ["PROJECT", "ENABLED", "DAEMON", "ROLES", "OPEN ITEMS", "PROPOSALS", "PATH"],
      projects.map((p) =>
        p.error !== null
          ? [p.name, p.enabled ? "yes" : "no", color.red(`error: ${printable(p.error)}`), "", "", "", p.path]
          : [
              p.name,
              p.enabled ? "yes" : "no",
              p.daemon.running ? color.green(`running (pid ${p.daemon.pid ?? "?"})`) : "stopped",
              `${p.roles.running}/${p.roles.total} running`,
              String(p.openItems),
              String(p.proposals),
              p.path,
            ],
      ),
    ),
  );
  return 0;
}

/** `gaffer fleet up` / `down`: `gaffer -C <path> up|down` in each enabled project, in order. */
export async function fleetUp(cwd: string, options: FleetOptions): Promise<number> {
  return fleetRun(cwd, options, "up");
}

export async function fleetDown(cwd: string, options: FleetOptions): Promise<number> {
  return fleetRun(cwd, options, "down");
}

async function fleetRun(cwd: string, options: FleetOptions, verb: "up" | "down"): Promise<number> {
  const fleet = readFleet(locateFleet(options.fleet, cwd));
  const results = await runInEachProject(fleet, verb, (project) =>
    print(
      project.enabled
        ? color.bold(`== ${project.name}: gaffer -C ${project.path} ${verb}`)
        : color.dim(`== ${project.name}: skipped (enabled = false)`),
    ),
  );
  const failed = results.filter((r) => r.exitCode !== null && r.exitCode !== 0);
  const ran = results.filter((r) => r.exitCode !== null).length;
  print(
    failed.length === 0
      ? `${verb}: ${plural(ran, "project")} done`
      : color.red(
          `${verb}: ${failed.length} of ${plural(ran, "project")} failed: ${failed.map((r) => `${r.name} (exit ${r.exitCode})`).join(", ")}`,
        ),
  );
  return failed.length === 0 ? 0 : 1;
}
