/**
 * What a `gaffer run` and the standby process say to each other over its socket: one JSON object
 * a line. The standby is told what to run and where, and answers with the command's output and
 * its exit code.
 */

/** Whether one of the command's output streams is a terminal, and how wide. */
export interface StreamFacts {
  isTTY: boolean;
  columns?: number;
}

/** The signals a `gaffer run` passes on to the process that runs it. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

export type StartMessage = Extract<ClientMessage, { type: "start" }>;

/** `message` as a start message, or undefined when it is not a well-formed one. */
export function startMessage(message: unknown): StartMessage | undefined {
  const start = message as Partial<StartMessage> | null;
  const strings = (values: unknown[]) => values.every((value) => typeof value === "string");
  if (
    start?.type !== "start" ||
    !Array.isArray(start.argv) ||
    !strings(start.argv) ||
    typeof start.cwd !== "string" ||
    !Number.isInteger(start.umask) ||
    typeof start.env !== "object" ||
    start.env === null ||
    !strings(Object.values(start.env)) ||
    !streamFacts(start.stdout) ||
    !streamFacts(start.stderr)
  )
    return undefined;
  return start as StartMessage;
}

function streamFacts(value: unknown): value is StreamFacts {
  const facts = value as Partial<StreamFacts> | null;
  return (
    typeof facts === "object" &&
    facts !== null &&
    typeof facts.isTTY === "boolean" &&
    (facts.columns === undefined || Number.isInteger(facts.columns))
  );
}

/** `message` as one of `T` when it is an object with a string `type` (its other fields still to check). */
export function messageOf<T extends { type: string }>(message: unknown): T | undefined {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof message === "object" && typeof type === "string" ? (message as T) : undefined;
}

/** The biggest piece of output one message carries. */
export const OUTPUT_CHUNK = 64 * 1024;

export type ClientMessage =
  /** Is a standby there? It answers `ready` and goes on waiting. */
  | { type: "ping" }
  /** Run this command line, in this directory, with this environment. */
  | {
      type: "start";
      argv: string[];
      cwd: string;
      env: Record<string, string>;
      /** The caller's file mode creation mask. */
      umask: number;
      stdout: StreamFacts;
      stderr: StreamFacts;
    }
  | { type: "signal"; signal: ForwardedSignal };

export type StandbyMessage =
  | { type: "ready"; pid: number }
  /** Not for this standby (a project without warm workspaces): the caller runs it itself. */
  | { type: "declined" }
  /** The command is this standby's: it serves no other. */
  | { type: "accepted"; pid: number }
  | { type: "output"; fd: 1 | 2; data: string }
  | { type: "exit"; code: number };

/**
 * For `gaffer [-C <dir>] run …`, the directory it runs in (relative to the caller's); undefined for
 * any other command.
 */
export function runCommandDir(argv: readonly string[]): string | undefined {
  const args = argv.slice(2);
  let dir = ".";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-C" || arg === "--cwd") dir = args[++i] ?? dir;
    else if (arg.startsWith("--cwd=")) dir = arg.slice("--cwd=".length);
    else if (!arg.startsWith("-")) return arg === "run" ? dir : undefined;
  }
  return undefined;
}

/** A line longer than this is not a message (an environment is a few kilobytes). */
const MAX_LINE = 4 * 1024 * 1024;

/**
 * Calls `onMessage` with each line of `stream` parsed as JSON; `onBad` once a line is too long or
 * not JSON, after which nothing more is read.
 */
export function readMessages(
  stream: NodeJS.ReadableStream,
  onMessage: (message: unknown) => void,
  onBad: () => void,
): void {
  let pending = "";
  let bad = false;
  stream.setEncoding?.("utf8");
  stream.on("data", (chunk: string) => {
    if (bad) return;
    pending += chunk;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        bad = true;
        onBad();
        return;
      }
      onMessage(message);
      if (bad) return;
      newline = pending.indexOf("\n");
    }
    if (pending.length > MAX_LINE) {
      bad = true;
      onBad();
    }
  });
}

export function line(message: ClientMessage | StandbyMessage): string {
  return `${JSON.stringify(message)}\n`;
}
