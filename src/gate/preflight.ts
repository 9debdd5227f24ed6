import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { GafferError } from "../errors.ts";
import type { GateCommand } from "./types.ts";
import { type CommandWrapper, printable, runProcess } from "../util/index.ts";

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** The check is one `command -v` per program: only a machine buried in work takes this long. */
const CHECK_TIMEOUT_MS = 60_000;
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
  const needs = commands.flatMap((command) => {
    const program = firstProgram(command.run);
    if (program === undefined || SHELL_SYNTAX.test(program)) return [];
    return [{ command: command.name, program, isPath: program.includes("/") }];
  });
  const missing = await notOnPath(
    needs.filter((need) => !need.isPath).map((need) => need.program),
    options,
  );
  return needs.flatMap(({ command, program, isPath }) => {
    if (isPath) {
      return existsSync(resolve(options.cwd, program))
        ? []
        : [`gate command "${command}" needs "${program}", which does not exist`];
    }
    return missing.has(program) ? [`gate command "${command}" needs "${program}", which is not on PATH`] : [];
  });
}

/**
 * Which of `programs` the shell cannot find, asked of one shell (in the sandbox, when wrapped).
 * A shell that does not finish says nothing of the programs: that is the machine's failure
 * (GafferError "sandbox-unavailable"), never reported as a missing program.
 */
async function notOnPath(
  programs: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; wrap?: CommandWrapper },
): Promise<Set<string>> {
  if (programs.length === 0) return new Set();
  // The names go in as arguments, so nothing in them is interpreted by the shell; each missing one
  // is printed on a line of its own, by its position (a name may hold any character).
  const script = 'i=0; for p; do command -v -- "$p" >/dev/null || echo "$i"; i=$((i+1)); done';
  const result = await runProcess("/bin/sh", ["-c", script, "sh", ...programs], {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: CHECK_TIMEOUT_MS,
    ...(options.wrap && { wrap: options.wrap }),
    // gaffer's own check, which runs nothing of the project's: it need not wait behind the agents.
    placement: "command",
  });
  if (result.exitCode !== 0) {
    const why = result.timedOut
      ? `it took over ${CHECK_TIMEOUT_MS / 1000} s`
      : (result.spawnError ?? firstLine(result.output) ?? `exit ${result.exitCode ?? result.signal}`);
    throw new GafferError(
      "sandbox-unavailable",
      `could not check the gate's programs in ${options.wrap ? "the run's sandbox" : "a shell"}: ${why}`,
      "the machine, not the project, failed the check (overloaded, or bubblewrap cannot start): run it again",
    );
  }
  const missing = result.output
    .split("\n")
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
  return new Set(missing.map((index) => programs[index] as string));
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

/** The first line of what the shell or the sandbox said, shown safely. */
function firstLine(text: string): string | undefined {
  const line = text.trim().split("\n")[0];
  return line ? printable(line) : undefined;
}
