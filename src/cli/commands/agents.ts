import {
  acpHandshake,
  type AgentPreset,
  createScriptedAgent,
  findProgram,
  HEADLESS_FORMATS,
  inProcessTransport,
  parseTemplate,
  spawnAgentProcess,
  withModel,
} from "../../agents/index.ts";
import { agentPreset, type GafferConfig, loadConfig } from "../../config/index.ts";
import { isGafferError } from "../../errors.ts";
import { resolveProjectRoot } from "../../workspace/index.ts";
import { color, formatTable, print, printJson } from "../output.ts";
import { printable, runProcess } from "../../util/index.ts";

interface Availability {
  name: string;
  driver: AgentPreset["driver"];
  command: string;
  path: string | null;
  version: string | null;
  hosts: string[];
  keys: { name: string; set: boolean }[];
}

/** `gaffer agents`: every preset, whether its program is installed, and its version. */
export async function agents(cwd: string, options: { json?: boolean }): Promise<number> {
  const { config, root } = await configAt(cwd);
  const rows = await Promise.all([...config.agents.values()].map((preset) => availability(preset, root)));
  if (options.json) {
    printJson(rows);
    return 0;
  }
  print(
    formatTable(
      ["AGENT", "DRIVER", "COMMAND", "INSTALLED", "VERSION", "KEYS"],
      rows.map((row) => [
        row.name,
        row.driver,
        row.command,
        row.path ? color.green(row.path) : color.dim("not found"),
        printable(row.version ?? ""),
        row.keys.map((key) => (key.set ? key.name : color.dim(key.name))).join(" "),
      ]),
    ),
  );
  print(color.dim("keys shown dim are not set here; `gaffer agents check NAME` makes a free ACP handshake"));
  return 0;
}

/** `gaffer agents check NAME`: starts the agent and makes the ACP `initialize` handshake only. */
export async function agentsCheck(cwd: string, name: string, options: { json?: boolean }): Promise<number> {
  const { config, root } = await configAt(cwd);
  const preset = agentPreset(config, name);
  const found = await availability(preset, root);
  if (preset.driver === "command" || preset.driver === "headless") {
    const result = { ...found, ok: found.path !== null };
    if (options.json) printJson(result);
    else
      print(
        found.path
          ? `${name}: ${found.path} ${printable(found.version ?? "")} (a ${preset.driver} agent: no protocol to check)`
          : `${name}: not installed`,
      );
    return found.path ? 0 : 69;
  }
  const transport =
    preset.driver === "scripted"
      ? inProcessTransport(createScriptedAgent())
      : await spawnAgentProcess(withModel(preset).command, { cwd: root, env: process.env });
  const handshake = await acpHandshake(transport);
  if (options.json) printJson({ ...found, ok: true, handshake });
  else {
    const who = [handshake.agent, handshake.version].filter(Boolean).join(" ") || "an agent";
    const auth = handshake.authMethods.length ? `; auth: ${handshake.authMethods.join(", ")}` : "";
    print(
      `${name}: ${color.green("ok")} — ${printable(who)} speaks ACP v${printable(String(handshake.protocolVersion))}${printable(auth)}`,
    );
  }
  return 0;
}

async function configAt(cwd: string): Promise<{ config: GafferConfig; root: string }> {
  try {
    const root = await resolveProjectRoot(cwd);
    return { config: loadConfig(root), root };
  } catch (error) {
    if (isGafferError(error) && error.code === "not-a-repo") return { config: loadConfig(cwd), root: cwd };
    throw error;
  }
}

async function availability(preset: AgentPreset, root: string): Promise<Availability> {
  const base = { name: preset.name, driver: preset.driver };
  if (preset.driver === "scripted") {
    return { ...base, command: "built in", path: "built in", version: null, hosts: [], keys: [] };
  }
  const words = presetCommand(preset);
  const path = (await findProgram(words[0] as string, { cwd: root, env: process.env })) ?? null;
  return {
    ...base,
    command: words.join(" "),
    path,
    version: path ? await versionOf(path, root) : null,
    hosts: preset.hosts,
    keys: preset.passEnv.map((key) => ({ name: key, set: Boolean(process.env[key]) })),
  };
}

/** The command line a preset runs; a headless agent's prompt shown as `<prompt>` when it is an argument. */
function presetCommand(preset: AgentPreset & { driver: "acp" | "command" | "headless" }): string[] {
  if (preset.driver === "acp") return withModel(preset).command;
  if (preset.driver === "command") return parseTemplate(preset.name, preset.template);
  return [preset.program, ...HEADLESS_FORMATS[preset.format].invocation("<prompt>", preset.model).args];
}

async function versionOf(program: string, cwd: string): Promise<string | null> {
  const result = await runProcess(program, ["--version"], { cwd, timeoutMs: 5000, maxOutputBytes: 4096 });
  const line = result.exitCode === 0 ? result.output.trim().split("\n")[0] : undefined;
  return line ? line.slice(0, 40) : null;
}
