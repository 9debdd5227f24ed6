import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import {
  agentsTomlIn,
  FLEET_FILE,
  loadFactory,
  readAgentsToml,
  readConfig,
  readFleet,
} from "../../config/index.ts";
import { projectPaths } from "../../engine/index.ts";
import { checkReady, readPhaseState, validateFleet } from "../../factory/index.ts";
import { loadPolicy } from "../../vault/index.ts";
import { resolveProjectRoot } from "../../workspace/index.ts";
import { plural, print, printJson } from "../output.ts";
import { explainPath } from "./explain-path.ts";

/**
 * `gaffer validate`: gaffer.toml, the factory's file (gaffer.toml's roles or agents.toml), what
 * every run will need (agents that start, the prompt template, policy.toml), the persisted phase,
 * and a fleet file (`--fleet`, or fleet.toml in the project). Reads only (and remembers the checked
 * gaffer.toml, as a run does); a problem is the usual one-line error. With `--explain-path`, it
 * then shows how the path rules treat that path.
 */
export async function validate(
  cwd: string,
  options: { fleet?: string; json?: boolean; explainPath?: string },
): Promise<number> {
  const root = await resolveProjectRoot(cwd);
  const config = await readConfig(root, { remember: true });
  const policy = loadPolicy(root, config, config.vault.policy);
  const factory = loadFactory(root, config);
  const agentsFile = agentsTomlIn(root);
  if (agentsFile !== undefined && factory.format !== "agents.toml") readAgentsToml(agentsFile, config);
  await checkReady(root, config, factory);
  const phase = readPhaseState(factory, projectPaths(root).stateDir);
  const fleetFile = options.fleet !== undefined ? resolve(cwd, options.fleet) : join(root, FLEET_FILE);
  const fleet = options.fleet !== undefined || existsSync(fleetFile) ? readFleet(fleetFile) : undefined;
  if (fleet) await validateFleet(fleet);
  if (options.explainPath !== undefined) {
    return explainPath(cwd, root, config, policy, options.explainPath, options.json === true);
  }
  if (options.json) {
    printJson({
      ok: true,
      config: config.file ?? null,
      policy: policy.file ?? null,
      factory: { file: factory.file ?? null, roles: factory.roles.length, phases: factory.phases.length },
      agentsToml: agentsFile ?? null,
      phase: phase ? { id: phase.phase.id, index: phase.index, done: phase.done } : null,
      fleet: fleet ? { file: fleet.file, projects: fleet.projects.length } : null,
    });
    return 0;
  }
  const factoryPart = `${plural(factory.roles.length, "role")}, ${plural(factory.phases.length, "phase")}`;
  const parts = [
    config.file
      ? `gaffer.toml${factory.format === "gaffer" && factory.roles.length > 0 ? `: ${factoryPart}` : ""}`
      : "no gaffer.toml (defaults)",
    policy.file ? `${basename(policy.file)}: ${plural(policy.pathRules.length, "path rule")}` : "",
    factory.format === "agents.toml" ? `agents.toml: ${factoryPart}` : "",
    agentsFile !== undefined && factory.format !== "agents.toml"
      ? "agents.toml (not used: gaffer.toml has roles)"
      : "",
    fleet ? `${basename(fleet.file)}: ${plural(fleet.projects.length, "project")}` : "",
  ];
  print(`OK, ${parts.filter(Boolean).join("; ")}`);
  return 0;
}
