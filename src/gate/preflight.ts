import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { GateCommand } from "./types.ts";
import { type CommandWrapper, runProcess } from "../util/index.ts";

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Words that start shell syntax rather than name a program; nothing to look up. */
const SHELL_SYNTAX = /^(?:[({!]|if|for|while|until|case|\[\[?)$|\$/;

/**
 * Checks that the program each gate command starts with can be found, before any agent time is
 * spent. Returns one human message per missing program; an empty list means all were found.
 */
export async function preflightGate(
  commands: readonly GateCommand[],
  options: { cwd: string; env: NodeJS.ProcessEnv; wrap?: CommandWrapper },
): Promise<string[]> {
  const problems: string[] = [];
  for (const command of commands) {
    const program = firstProgram(command.run);
    if (program === undefined || SHELL_SYNTAX.test(program)) continue;
    if (program.includes("/")) {
      if (!existsSync(resolve(options.cwd, program))) {
        problems.push(`gate command "${command.name}" needs "${program}", which does not exist`);
      }
    } else if (!(await onPath(program, options))) {
      problems.push(`gate command "${command.name}" needs "${program}", which is not on PATH`);
    }
  }
  return problems;
}

/**
 * The first real program of a command line: leading `VAR=value` words are skipped, and so is a
 * leading `cd dir &&`. Deliberately simple; anything cleverer is left to the gate run itself.
 */
function firstProgram(commandLine: string): string | undefined {
  let words = shellWords(commandLine);
  while (words[0] === "cd") {
    const next = words.indexOf("&&");
    if (next < 0) return undefined;
    words = words.slice(next + 1);
  }
  return words.find((word) => !ASSIGNMENT.test(word));
}

function shellWords(commandLine: string): string[] {
  const words = commandLine.trim().match(/"[^"]*"|'[^']*'|&&|[^\s;&|]+/g) ?? [];
  return words.map((word) => word.replace(/^(["'])(.*)\1$/, "$2"));
}

async function onPath(
  program: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; wrap?: CommandWrapper },
): Promise<boolean> {
  // The name goes in as $1, so nothing in it is interpreted by the shell.
  const result = await runProcess("/bin/sh", ["-c", 'command -v -- "$1" >/dev/null', "sh", program], {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: 10_000,
    ...(options.wrap && { wrap: options.wrap }),
  });
  return result.exitCode === 0;
}
