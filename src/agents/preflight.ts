import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { GafferError } from "../errors.ts";
import { parseTemplate } from "./command/template.ts";
import { loadScenarioFile, scenarioFromPrompt } from "./scripted/scenario.ts";
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
 * program is installed, the template splits, the scenario (file or ```scenario block) parses.
 */
export async function preflightAgent(
  preset: AgentPreset,
  context: { prompt: string; cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  switch (preset.driver) {
    case "scripted":
      if (preset.scenario !== undefined) await loadScenarioFile(preset.scenario);
      else scenarioFromPrompt(context.prompt);
      return;
    case "acp":
      return requireProgram(preset.command[0] ?? "", context);
    case "command":
      return requireProgram(parseTemplate(preset.name, preset.template)[0] as string, context);
    case "headless":
      return requireProgram(preset.program, context);
    default:
      return preset satisfies never;
  }
}
