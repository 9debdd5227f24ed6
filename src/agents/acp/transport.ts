import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import type * as acp from "@agentclientprotocol/sdk";
import { GafferError } from "../../errors.ts";
import { killingSignal } from "../process/session.ts";
import { type CommandWrapper, killGroup, placeStarted } from "../../util/index.ts";

/** What an ACP client session talks to: an agent subprocess over stdio, or an agent app in this process. */
export interface AgentTransport {
  readonly target: acp.Stream | acp.AgentApp;
  /** Resolves with what happened ("agent exited with code 3") once the agent is gone. */
  readonly exited: Promise<string>;
  /** The last lines the agent wrote to stderr, for error messages. */
  stderrTail(): string;
  /** The signal that killed the agent's process, once it is gone, if one did. */
  killedBy(): string | undefined;
  /** Ends the agent and everything it started; resolves once it is gone. */
  stop(): Promise<void>;
}

const STDERR_KEEP_BYTES = 8192;
const STDERR_TAIL_LINES = 8;
const STOP_GRACE_MS = 1000;

export function inProcessTransport(app: acp.AgentApp): AgentTransport {
  let gone: (reason: string) => void = () => {};
  const exited = new Promise<string>((resolve) => {
    gone = resolve;
  });
  return {
    target: app,
    exited,
    stderrTail: () => "",
    killedBy: () => undefined,
    stop: async () => gone("agent stopped"),
  };
}

export interface SpawnAgentOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The agent's own variables (its preset's `env`): they pass into a sandbox, unlike `env`. */
  extraEnv?: Record<string, string>;
  /** Confines the agent (a Sandbox's wrap). */
  wrap?: CommandWrapper;
}

/**
 * Starts an ACP agent program in its own process group, speaking ndjson over stdio.
 * Throws GafferError("agent-unavailable") when the program cannot be started.
 */
export async function spawnAgentProcess(
  command: readonly string[],
  options: SpawnAgentOptions,
): Promise<AgentTransport> {
  if (!command[0])
    throw new GafferError("agent-unavailable", "agent command is empty", "set the agent preset's command");
  const extraEnv = options.extraEnv ?? {};
  const wrapped = options.wrap?.(command, { cwd: options.cwd, env: options.env, extraEnv });
  const [program, ...args] = (wrapped?.argv ?? command) as [string, ...string[]];
  const child = spawn(program, args, {
    cwd: options.cwd,
    env: wrapped?.env ?? { ...options.env, ...extraEnv },
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  placeStarted(child.pid, wrapped ? "sandboxed" : "command");
  // The protocol library loads while the agent starts.
  const sdk = import("@agentclientprotocol/sdk");
  try {
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
  } catch (error) {
    throw unavailable(program, error);
  }
  const pid = child.pid as number;
  wrapped?.spawned?.(pid);
  child.stdin.on("error", () => {});
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_KEEP_BYTES);
  });
  let killedBy: string | undefined;
  const exited = new Promise<string>((resolve) => {
    let description = "";
    const finish = () => resolve(description);
    child.once("exit", (code, signal) => {
      description = code === null ? `agent was killed by ${signal}` : `agent exited with code ${code}`;
      killedBy = killingSignal(code, signal);
      // Whatever the agent left running goes with it; then its pipes close.
      killGroup(pid, "SIGKILL");
      setTimeout(finish, 500).unref();
    });
    child.once("close", finish);
  });
  const { ndJsonStream } = await sdk;
  return {
    target: ndJsonStream(
      Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
    ),
    exited,
    stderrTail: () => lastLines(stderr, STDERR_TAIL_LINES),
    killedBy: () => killedBy,
    stop: async () => {
      killGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

function unavailable(program: string, error: unknown): GafferError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new GafferError(
      "agent-unavailable",
      `agent command not found: ${program}`,
      "install the agent or fix the command in the agent preset (gaffer.toml [agents.NAME])",
    );
  }
  return new GafferError(
    "agent-unavailable",
    `agent command cannot be started: ${program} (${code ?? String(error)})`,
    "check that the agent program exists and is executable",
  );
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}
