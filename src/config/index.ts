export { detectCopy, detectGate, detectSetup } from "./detect.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export { agentPreset, CONFIG_FILE, type GafferConfig, loadConfig, parseConfig } from "./load.ts";
export { didYouMean } from "./suggest.ts";
export { renderConfigTemplate } from "./template.ts";
