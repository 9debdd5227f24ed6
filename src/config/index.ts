export { detectGate, detectSetup } from "./detect.ts";
export { formatDuration, MAX_TIMER_MS, parseDuration } from "./duration.ts";
export { agentPreset, CONFIG_FILE, type GafferConfig, type TracksConfig } from "./compile.ts";
export { loadConfig, parseConfig } from "./load.ts";
export { readConfig } from "./remembered.ts";
export { didYouMean } from "./suggest.ts";
export { KEY_VARIABLES, type KeyVariable, type ModelHost, readModelCa } from "./model-hosts.ts";
export { type ModelPrice, priceOf } from "./prices.ts";
export { isSecretFileName } from "./secret-files.ts";
export { renderConfigTemplate } from "./template.ts";
export {
  type FactoryConfig,
  type FactorySettings,
  type Phase,
  type Role,
  type RoleKind,
  type RolePolicy,
  roleModel,
  sessionName,
} from "./factory.ts";
export { AGENTS_FILE, agentsTomlIn, readFactory } from "./factory-read.ts";
export { loadFactory, readAgentsToml } from "./factory-load.ts";
export { shownPath } from "./problem.ts";
export {
  FLEET_FILE,
  type Fleet,
  type FleetProject,
  locateFleet,
  parseFleet,
  projectName,
  readFleet,
} from "./fleet.ts";
export type { VaultConfig } from "./vault.ts";
export { REACTION_EVENTS, type Reaction, type ReactionEvent, type ReactionsConfig } from "./reactions.ts";
export {
  DISINTO_LABELS,
  type LabelScheme,
  type TrackerAuth,
  type TrackerConfig,
  type WebhookConfig,
} from "./tracker.ts";
export { describeIssues } from "./errors.ts";
export { pathGlobList } from "./globs.ts";
export { locateKey } from "./locate.ts";
