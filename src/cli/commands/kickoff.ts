import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { didYouMean, type FactoryConfig, readFactory, type Phase, type Role } from "../../config/index.ts";
import { openProjectReadOnly } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import {
  addPhases,
  findPhase,
  kickoffFile,
  progressOf,
  readPhaseState,
  renderKickoff,
} from "../../factory/index.ts";
import { print } from "../output.ts";

/**
 * `gaffer kickoff <role>`: prints the role's kickoff for the current phase (or `--phase`); with
 * `--write`, writes it to `kickoff-<session>.txt` in the log dir instead. Reads only without --write.
 */
export async function kickoff(
  cwd: string,
  roleName: string,
  options: { phase?: string; status?: string; write?: boolean },
): Promise<number> {
  const project = await openProjectReadOnly(cwd);
  try {
    const factory = await readFactory(project.root, project.config);
    const role = findRole(factory, roleName);
    const current = readPhaseState(factory, project.paths.stateDir);
    if (!current) {
      throw new GafferError(
        "config-invalid",
        "no phases are configured: a kickoff fills in the phase's {phase_id} and {plan}",
        addPhases(factory),
      );
    }
    const index = options.phase !== undefined ? findPhase(factory, options.phase) : current.index;
    const phase = options.phase !== undefined ? (factory.phases[index] as Phase) : current.phase;
    const text = renderKickoff(factory, role, phase, options.status ?? progressOf(current, index));
    if (!options.write) {
      process.stdout.write(text);
      return 0;
    }
    const file = kickoffFile(factory, role, project.paths.stateDir);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    print(`wrote ${file}`);
    return 0;
  } finally {
    await project.close();
  }
}

function findRole(factory: FactoryConfig, name: string): Role {
  const role = factory.roles.find((r) => r.name === name);
  if (role?.kind === "service")
    throw new GafferError(
      "usage",
      `${name} is a service: services run a command and get no kickoff`,
      "name an agent role",
    );
  if (role) return role;
  const names = factory.roles.filter((r) => r.kind !== "service").map((r) => r.name);
  const suggestion = didYouMean(name, names);
  throw new GafferError(
    "usage",
    `no role "${name}"`,
    `${suggestion ? `did you mean "${suggestion}"? ` : ""}roles: ${names.join(", ") || "none configured"}`,
  );
}
