import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import type { GateCommand, GateExecution, GateOutcome } from "./types.ts";
import { type CommandWrapper, type ProcessResult, runShell } from "../util/index.ts";

export interface GateRunOptions {
  /** The workspace the commands run in. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Full output of every command goes to `<logDir>/attempt-<n>-<name>.log`. */
  logDir: string;
  attempt: number;
  /** Bytes of output kept in each execution's `output` (head and tail). */
  storeOutputBytes: number;
  /** Aborting kills the running command's process group; no further command starts. */
  signal?: AbortSignal;
  onStart?(name: string): void;
  /** Called in the declared order, whether the steps run one after another or together. */
  onFinish?(execution: GateExecution): void;
  /**
   * Start every step at once (`[gate] parallel`), for steps that neither read nor write what
   * another writes. Every step runs to its end; the outcome lists them in the declared order, so
   * the first failing step in that order is the first failure reported, as in a sequential gate.
   */
  parallel?: boolean;
  /** Confines the commands: they run code the agent wrote. */
  wrap?: CommandWrapper;
}

/**
 * Runs the gate commands in order and stops at the first that fails; with `parallel`, all at once.
 * `passed` needs at least one execution and every command passing: an empty gate is no evidence.
 * On abort the outcome so far is returned with `passed` false; the caller checks its own signal.
 */
export async function runGate(
  commands: readonly GateCommand[],
  options: GateRunOptions,
): Promise<GateOutcome> {
  mkdirSync(options.logDir, { recursive: true });
  const executions = options.parallel
    ? await runTogether(commands, options)
    : await runInOrder(commands, options);
  const passed =
    executions.length > 0 &&
    executions.length === commands.length &&
    executions.every((e) => e.passed) &&
    !options.signal?.aborted;
  return { passed, executions };
}

/** One step after another, stopping at the first that fails. */
async function runInOrder(
  commands: readonly GateCommand[],
  options: GateRunOptions,
): Promise<GateExecution[]> {
  const executions: GateExecution[] = [];
  for (const command of commands) {
    if (options.signal?.aborted) break;
    options.onStart?.(command.name);
    const execution = await runStep(command, options);
    executions.push(execution);
    options.onFinish?.(execution);
    if (!execution.passed) break;
  }
  return executions;
}

/** Every step at once; each is reported, in the declared order, once it and those before it are done. */
async function runTogether(
  commands: readonly GateCommand[],
  options: GateRunOptions,
): Promise<GateExecution[]> {
  if (options.signal?.aborted) return [];
  const running = commands.map((command) => {
    options.onStart?.(command.name);
    return runStep(command, options);
  });
  // A step that throws (its log could not be written) throws once every step has ended.
  for (const step of running) step.catch(() => {});
  const executions: GateExecution[] = [];
  for (const step of running) {
    const execution = await step.catch(async (error: unknown) => {
      await Promise.allSettled(running);
      throw error;
    });
    executions.push(execution);
    options.onFinish?.(execution);
  }
  return executions;
}

async function runStep(command: GateCommand, options: GateRunOptions): Promise<GateExecution> {
  const logPath = join(options.logDir, `attempt-${options.attempt}-${safeFileName(command.name)}.log`);
  const log = createWriteStream(logPath);
  log.on("error", () => {}); // reported by finished() once the command is done
  const hash = createHash("sha256");
  const record = (chunk: Buffer) => {
    hash.update(chunk);
    log.write(chunk);
  };
  const result = await runShell(command.run, {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: command.timeoutMs,
    maxOutputBytes: options.storeOutputBytes,
    onOutput: record,
    signal: options.signal,
    ...(options.wrap && { wrap: options.wrap }),
  });
  // The shell never started, so there is no output: the reason becomes the evidence instead.
  const spawnNote =
    result.spawnError === null ? "" : `gaffer: could not start /bin/sh: ${result.spawnError}\n`;
  if (spawnNote) record(Buffer.from(spawnNote));
  await finished(log.end());
  return toExecution(command, result, {
    logPath,
    output: spawnNote + result.output,
    outputBytes: result.outputBytes + Buffer.byteLength(spawnNote),
    outputSha256: hash.digest("hex"),
  });
}

function toExecution(
  command: GateCommand,
  result: ProcessResult,
  evidence: Pick<GateExecution, "logPath" | "output" | "outputBytes" | "outputSha256">,
): GateExecution {
  // 127: the shell found no such command; 126: found, but it cannot be executed.
  const notFound =
    result.spawnError !== null ||
    (result.exitCode === 127 && /not found/i.test(evidence.output)) ||
    (result.exitCode === 126 && /permission denied|cannot execute/i.test(evidence.output));
  return {
    name: command.name,
    command: command.run,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    notFound,
    killedFromOutside: killedFromOutside(result),
    durationMs: result.durationMs,
    ...evidence,
    passed: result.exitCode === 0 && !result.timedOut && !result.cancelled && !notFound,
  };
}

/** A shell, or bubblewrap's init, reports a child that SIGKILL ended as exit 128 + 9. */
const SIGKILL_EXIT = 137;

/** gaffer's own kills (a timeout, a cancel, a limit) are flagged on the result; any other SIGKILL came from outside. */
function killedFromOutside(result: ProcessResult): boolean {
  if (result.timedOut || result.cancelled) return false;
  return result.signal === "SIGKILL" || result.exitCode === SIGKILL_EXIT;
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-");
}
