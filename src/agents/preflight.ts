import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { GafferError } from "../errors.ts";
import { checkedKey, checkedTexts, recallChecked, rememberChecked } from "../util/index.ts";
import { parseTemplate } from "./command/template.ts";
import { readScenarioText } from "./scripted/scenario-file.ts";
import type { AgentPreset } from "./types.ts";

/** Resolves a program the way exec would: a path as is, a bare name through PATH. */
export async function findProgram(
  program: string,
  where: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<string | undefined> {
  const candidates = program.includes("/")
    ? [resolve(where.cwd, program)]
    : (where.env.PATH ?? "").split(delimiter).map((dir) => join(dir || ".", program));
  for (const candidate of candidates) {
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** Throws GafferError("agent-unavailable") unless the program can be found and executed. */
export async function requireProgram(
  program: string,
  where: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  if (await findProgram(program, where)) return;
  throw new GafferError(
    "agent-unavailable",
    `agent command not found: ${program}`,
    "install it, or fix the agent's command in gaffer.toml (or AGENT_CMD)",
  );
}

/**
 * Checks, before a run is created, what would otherwise fail only once the agent starts: the
 * preset can start (see checkAgentStarts) and the scenario of the item (a ```scenario block) parses.
 */
export async function preflightAgent(
  preset: AgentPreset,
  context: { prompt: string; cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  await checkAgentStarts(preset, context);
  if (preset.driver === "scripted" && preset.scenario === undefined)
    (await scenarios()).scenarioFromPrompt(context.prompt);
}

/**
 * What a preset needs to start, whatever item it is given: its program is installed, its template
 * splits, a key it cannot work without is set, its scenario file parses. `gaffer validate` and
 * `gaffer up` ask this of every agent the project uses.
 */
export async function checkAgentStarts(
  preset: AgentPreset,
  where: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  switch (preset.driver) {
    case "scripted":
      if (preset.scenario !== undefined) await checkScenarioFile(preset.scenario, where.env);
      return;
    case "acp":
      await requireProgram(preset.command[0] ?? "", where);
      break;
    case "command":
      await requireProgram(parseTemplate(preset.name, preset.template)[0] as string, where);
      break;
    case "headless":
      await requireProgram(preset.program, where);
      break;
    default:
      return preset satisfies never;
  }
  const keys = preset.keyEnv ?? [];
  if (keys.length > 0 && !keys.some((name) => where.env[name]))
    throw new GafferError(
      "agent-unavailable",
      `agent "${preset.name}" needs ${keys.length === 1 ? keys[0] : `one of ${keys.join(", ")}`} set`,
      "export it where gaffer runs (in a sandbox, gaffer's proxy adds it to the agent's model requests), or choose another agent",
    );
}

/** The scenario parser (and its schemas), loaded only to check a scripted agent. */
const scenarios = () => import("./scripted/scenario.ts");

/**
 * The scenario file parses. Like gaffer.toml, a text this build has checked before is remembered
 * (see checkedTexts), so a run of the scripted agent does not load the schemas to check it again.
 */
async function checkScenarioFile(path: string, env: NodeJS.ProcessEnv): Promise<void> {
  const text = readScenarioText(path);
  const memory = checkedTexts("scenario", env);
  const key = memory && checkedKey(memory, text);
  if (memory && key && recallChecked(memory, key) === true) return;
  (await scenarios()).parseScenario(text, path);
  if (memory && key) rememberChecked(memory, key, true);
}
