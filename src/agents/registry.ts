import { GafferError } from "../errors.ts";
import type { AcpSessionOptions } from "./acp/session.ts";
import type * as AcpStack from "./acp-stack.ts";
import { spawnAgentProcess } from "./acp/transport.ts";
import { CommandDriver } from "./command/driver.ts";
import { HeadlessDriver } from "./headless/driver.ts";
import type { AgentDriver, AgentPreset, AgentSession, SessionContext } from "./types.ts";

export interface DriverOptions extends AcpSessionOptions {
  /**
   * How to start the scripted agent as a subprocess, e.g.
   * `[process.execPath, "/path/to/gaffer/main.js", "agent", "scripted"]`; `--scenario FILE` is appended.
   * Needed only for scripted presets with `inProcess: false`.
   */
  scriptedAgentCommand?: readonly string[];
}

let acpStack: Promise<typeof AcpStack> | undefined;
const loadAcpStack = () => (acpStack ??= import("./acp-stack.ts"));
const loadScenario = async (file: string) => (await import("./scripted/scenario.ts")).loadScenarioFile(file);

/** Builds the driver for an agent preset from gaffer.toml. */
export function createAgentDriver(preset: AgentPreset, options: DriverOptions = {}): AgentDriver {
  switch (preset.driver) {
    case "acp": {
      const { command, env } = withModel(preset);
      return acpProcessDriver(preset.name, command, { ...preset.env, ...env }, options);
    }
    case "command":
      return new CommandDriver(preset.name, preset.template.replaceAll("{model}", preset.model ?? ""));
    case "headless":
      return new HeadlessDriver(preset);
    case "scripted":
      return preset.inProcess
        ? inProcessScriptedDriver(preset.name, preset.scenario, options)
        : scriptedProcessDriver(preset, options);
    default:
      return preset satisfies never;
  }
}

/** An ACP agent program, started in the workspace for each session. */
function acpProcessDriver(
  name: string,
  command: readonly string[],
  env: Record<string, string>,
  options: AcpSessionOptions,
): AgentDriver {
  return {
    name,
    async startSession(context: SessionContext): Promise<AgentSession> {
      // The client's code loads while the agent's process starts.
      const stack = loadAcpStack();
      const transport = await spawnAgentProcess(command, {
        cwd: context.workspace,
        env: context.env,
        extraEnv: env,
        ...(context.wrap && { wrap: context.wrap }),
      });
      return await (await stack).startAcpSession(transport, context, options);
    },
  };
}

function inProcessScriptedDriver(
  name: string,
  scenarioFile: string | undefined,
  options: AcpSessionOptions,
): AgentDriver {
  return {
    name,
    async startSession(context: SessionContext): Promise<AgentSession> {
      const { createScriptedAgent, inProcessTransport, startAcpSession } = await loadAcpStack();
      const scenario = scenarioFile === undefined ? undefined : await loadScenario(scenarioFile);
      const app = createScriptedAgent(scenario ? { scenario } : {});
      return await startAcpSession(inProcessTransport(app), context, options);
    },
  };
}

function scriptedProcessDriver(
  preset: AgentPreset & { driver: "scripted" },
  options: DriverOptions,
): AgentDriver {
  const base = options.scriptedAgentCommand;
  if (!base || base.length === 0) {
    throw new GafferError(
      "agent-unavailable",
      `agent ${preset.name}: no command to start the scripted agent as a subprocess`,
      "pass scriptedAgentCommand to createAgentDriver, or set inProcess",
    );
  }
  const scenario = preset.scenario;
  const command = scenario === undefined ? [...base] : [...base, "--scenario", scenario];
  const driver = acpProcessDriver(preset.name, command, {}, options);
  return {
    name: preset.name,
    async startSession(context: SessionContext): Promise<AgentSession> {
      // A bad scenario is the user's to fix: report it here, not as an agent that died at start.
      if (scenario !== undefined) await loadScenario(scenario);
      return await driver.startSession(context);
    },
  };
}

/**
 * The agent's command and environment with its model in place: `{model}` replaced in the command,
 * plus the preset's model arguments or variable when a model is chosen.
 */
export function withModel(preset: AgentPreset & { driver: "acp" }): {
  command: string[];
  env: Record<string, string>;
} {
  const model = preset.model;
  const command = preset.command.map((word) => word.replaceAll("{model}", model ?? ""));
  if (model === undefined) return { command, env: {} };
  const args = (preset.modelArgs ?? []).map((word) => word.replaceAll("{model}", model));
  return { command: [...command, ...args], env: preset.modelEnv ? { [preset.modelEnv]: model } : {} };
}
