import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import type { GafferConfig } from "./compile.ts";
import type { FactoryConfig } from "./factory.ts";
import { checkFactory } from "./factory-check.ts";

export const AGENTS_FILE = "agents.toml";

/**
 * Which file the factory comes from: roles in gaffer.toml if it has any, else an agents.toml in
 * the project root, else gaffer.toml's empty factory. Reads only: nothing is created. The
 * agents.toml reader (and its schema) is loaded only for a project that has one.
 */
export async function readFactory(root: string, config: GafferConfig): Promise<FactoryConfig> {
  const agentsFile = factoryAgentsToml(root, config);
  if (agentsFile === undefined) return gafferFactory(config);
  return (await import("./factory-load.ts")).readAgentsToml(agentsFile, config);
}

/** The agents.toml the factory comes from; undefined when gaffer.toml's roles (or none) are it. */
export function factoryAgentsToml(root: string, config: GafferConfig): string | undefined {
  return config.factory.roles.length > 0 ? undefined : agentsTomlIn(root);
}

/** gaffer.toml's own factory, checked for what its schema cannot see. */
export function gafferFactory(config: GafferConfig): FactoryConfig {
  if (config.file !== undefined && config.factory.roles.length > 0) {
    const text = readFileSync(config.file, "utf8");
    checkFactory(config.factory, { file: config.file, text, input: parse(text) }, "gaffer", config);
  }
  return config.factory;
}

/** The project's agents.toml, if it has one. */
export function agentsTomlIn(root: string): string | undefined {
  const file = join(root, AGENTS_FILE);
  return existsSync(file) ? file : undefined;
}
