export { joinShellWords, splitShellWords } from "../util/index.ts";
/**
 * Agent drivers: the ACP client session (subprocess or in-process), the built-in scripted agent,
 * the command-template driver for any CLI, and the headless driver for agent CLIs' JSON streams.
 *
 * ```ts
 * const driver = createAgentDriver(preset, { scriptedAgentCommand: [process.execPath, main, "agent", "scripted"] });
 * const session = await driver.startSession({ workspace, env, policy, onUpdate, turnTimeoutMs });
 * const { stopReason, error } = await session.prompt({ text, attempt: 1, runId, itemId });
 * await session.close();
 * ```
 */
export { acpHandshake, type HandshakeResult } from "./acp/handshake.ts";
export { type AcpSessionOptions, startAcpSession } from "./acp/session.ts";
export { type AgentTransport, inProcessTransport, spawnAgentProcess } from "./acp/transport.ts";
export { CommandDriver } from "./command/driver.ts";
export { parseTemplate } from "./command/template.ts";
export { HeadlessDriver } from "./headless/driver.ts";
export { HEADLESS_FORMATS } from "./headless/formats.ts";
export { deniedCommand, deniedCommandLine } from "./policy-check.ts";
export { checkAgentStarts, findProgram, preflightAgent, requireProgram } from "./preflight.ts";
export { createAgentDriver, type DriverOptions, withModel } from "./registry.ts";
export { createScriptedAgent, type ScriptedAgentOptions } from "./scripted/agent.ts";
export {
  DEFAULT_SCENARIO,
  loadScenarioFile,
  parseScenario,
  type Scenario,
  type Step,
  scenarioFromPrompt,
  stepsForAttempt,
} from "./scripted/scenario.ts";
export { runScriptedAgentOverStdio } from "./scripted/stdio.ts";
export {
  CONVENTION_FILES,
  type Conventions,
  findConventions,
  loadBriefTemplate,
  renderBrief,
} from "./prompt/index.ts";
export type * from "./types.ts";
