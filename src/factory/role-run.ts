import {
  agentPreset,
  type FactoryConfig,
  type GafferConfig,
  loadFactory,
  type Phase,
  type Role,
  roleModel,
} from "../config/index.ts";
import { GafferError } from "../errors.ts";
import type { Project, RunRole } from "../engine/index.ts";
import { readRolePrompt, renderKickoff } from "./kickoff.ts";
import { readPhaseState } from "./phase.ts";
import type { AgentPreset } from "../agents/index.ts";

/** A role by name, or a one-line error listing the roles there are. */
export function findRole(factory: FactoryConfig, name: string): Role {
  const role = factory.roles.find((r) => r.name === name);
  if (role) return role;
  const known = factory.roles.map((r) => r.name);
  throw new GafferError(
    "invalid-input",
    `no role "${name}" in ${factory.file ?? "gaffer.toml"}`,
    known.length ? `the roles are: ${known.join(", ")}` : "add [roles.<name>] to gaffer.toml",
  );
}

/**
 * The configuration a role's process runs with: its agent preset carries the role's model for the
 * current phase. Each role process runs one role, so its config can say so outright.
 */
export function configForRole(
  config: GafferConfig,
  factory: FactoryConfig,
  role: Role,
  phase: Phase | undefined,
): GafferConfig {
  const name = role.agent ?? config.agent.default;
  const preset = agentPreset(config, name);
  const model = roleModel(factory, role, phase);
  if (model === undefined || preset.driver === "scripted") return config;
  const agents = new Map(config.agents);
  agents.set(name, { ...preset, model } as AgentPreset);
  return { ...config, agents };
}

/** The project as one role's runs see it, under `config`: the role's model for the current phase. */
export function projectForRole(
  opened: Project,
  config: GafferConfig,
  roleName: string,
): { project: Project; factory: FactoryConfig; role: Role } {
  const factory = loadFactory(opened.root, config);
  const role = findRole(factory, roleName);
  const phase = readPhaseState(factory, opened.paths.stateDir)?.phase;
  return { project: { ...opened, config: configForRole(config, factory, role, phase) }, factory, role };
}

/**
 * What the engine needs to know of the role: its name, its instructions (the phase's kickoff with
 * the role's prompt, or the prompt alone without phases), and how it continues sessions.
 */
export function runRole(factory: FactoryConfig, role: Role, stateDir: string): RunRole {
  const phase = readPhaseState(factory, stateDir);
  const instructions = phase
    ? renderKickoff(factory, role, phase.phase, phase.done ? "done" : "in progress")
    : readRolePrompt(role);
  // A persistent role is one long-lived session: its turns always continue it.
  const continuation = role.kind === "persistent" ? "continue" : role.continuation;
  return { name: role.name, instructions, continuation };
}
