import { checkAgentStarts, loadBriefTemplate } from "../agents/index.ts";
import { agentPreset, type FactoryConfig, type GafferConfig, readModelCa } from "../config/index.ts";
import { GafferError, isGafferError } from "../errors.ts";
import { loadPolicy } from "../vault/index.ts";

/**
 * What every run of the project will need, checked before anything starts (`gaffer validate`,
 * `gaffer up`): each agent the default or an enabled role uses can start, the prompt template
 * reads and fills, policy.toml parses, the model hosts' extra CA files read. Reads only; the first
 * problem is one GafferError.
 */
export async function checkReady(
  root: string,
  config: GafferConfig,
  factory: FactoryConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  for (const [name, users] of agentUsers(config, factory)) {
    try {
      await checkAgentStarts(agentPreset(config, name), { cwd: root, env });
    } catch (error) {
      if (!isGafferError(error)) throw error;
      throw new GafferError(error.code, `${users.join(", ")}: ${error.message}`, error.hint, {
        cause: error,
      });
    }
  }
  if (config.project.promptTemplate !== undefined) loadBriefTemplate(config.project.promptTemplate);
  loadPolicy(root, config, config.vault.policy);
  readModelCa(config.models.ca);
}

/** Each agent a run may start, with who uses it: `[agent] default`, `role builder`, … */
function agentUsers(config: GafferConfig, factory: FactoryConfig): Map<string, string[]> {
  const users = new Map<string, string[]>([[config.agent.default, ["[agent] default"]]]);
  for (const role of factory.roles) {
    if (!role.enabled || role.agent === undefined) continue;
    users.set(role.agent, [...(users.get(role.agent) ?? []), `role ${role.name}`]);
  }
  return users;
}
