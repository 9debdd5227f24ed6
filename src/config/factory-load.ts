import { readFileSync } from "node:fs";
import { parseAgentsToml } from "./agents-toml.ts";
import type { GafferConfig } from "./compile.ts";
import type { FactoryConfig } from "./factory.ts";
import { checkFactory } from "./factory-check.ts";
import { factoryAgentsToml, gafferFactory } from "./factory-read.ts";

/** `readFactory`, for a caller that cannot wait: the agents.toml reader is loaded with it. */
export function loadFactory(root: string, config: GafferConfig): FactoryConfig {
  const agentsFile = factoryAgentsToml(root, config);
  return agentsFile === undefined ? gafferFactory(config) : readAgentsToml(agentsFile, config);
}

/** Reads and checks an agents.toml; gaffer.toml supplies the agent presets and the daemon's settings. */
export function readAgentsToml(file: string, config: GafferConfig): FactoryConfig {
  const text = readFileSync(file, "utf8");
  const { input, factory } = parseAgentsToml(text, file, config.factory.settings);
  checkFactory(factory, { file, text, input }, "agents.toml", config);
  return factory;
}
