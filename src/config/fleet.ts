import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { GafferError } from "../errors.ts";
import { locateKey } from "./locate.ts";
import { parseTomlFile } from "./toml-file.ts";

/**
 * `fleet.toml`: the projects one operator steers together, as `[projects.<name>]` tables with a
 * `path` (absolute, or relative to the fleet file) and `enabled`.
 */
export const FLEET_FILE = "fleet.toml";

/** Also the rule for `gaffer create-project` names: each is a bare TOML key and a directory name. */
export const projectName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "use letters, digits, '-' or '_'");

const fleetSchema = z.strictObject({
  projects: z
    .record(
      projectName,
      z.strictObject({
        path: z.string().min(1).describe("the project's repository: absolute, or relative to this file"),
        enabled: z.boolean().default(true).describe("false: `gaffer fleet up` leaves it alone"),
      }),
    )
    .default({})
    .describe("the projects by name"),
});

export interface FleetProject {
  name: string;
  /** Absolute. */
  path: string;
  enabled: boolean;
  /** The line of its `path` key, for errors about it. */
  line: number | undefined;
}

export interface Fleet {
  file: string;
  projects: FleetProject[];
}

/**
 * Where the fleet file is: `--fleet FILE`, else `$GAFFER_FLEET`, else `fleet.toml` in the current
 * directory, else `${XDG_CONFIG_HOME:-~/.config}/gaffer/fleet.toml`. A file named explicitly must
 * exist; of the default places, the first that exists (or the last, to report it missing).
 */
export function locateFleet(
  flag: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const named = flag ?? (env.GAFFER_FLEET || undefined);
  if (named !== undefined) return resolve(cwd, named);
  const here = join(cwd, FLEET_FILE);
  return existsSync(here)
    ? here
    : join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "gaffer", FLEET_FILE);
}

/** Reads and checks a fleet file; any problem is one GafferError naming file, line and key. */
export function readFleet(file: string): Fleet {
  if (!existsSync(file)) {
    throw new GafferError(
      "not-initialized",
      `no fleet file at ${file}`,
      "create one with `gaffer create-project <name> --fleet <file>`, or name it with --fleet or $GAFFER_FLEET",
    );
  }
  return parseFleet(readFileSync(file, "utf8"), file);
}

export function parseFleet(text: string, file: string): Fleet {
  const { data } = parseTomlFile(text, file, fleetSchema);
  return {
    file,
    projects: Object.entries(data.projects).map(([name, project]) => ({
      name,
      path: isAbsolute(project.path) ? project.path : resolve(dirname(file), project.path),
      enabled: project.enabled,
      line: locateKey(text, ["projects", name, "path"]),
    })),
  };
}
