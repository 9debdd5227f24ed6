import { spawn } from "node:child_process";
import { placeStarted, type StartedProcess } from "./scheduling.ts";

/**
 * Turns a command into the command that runs it confined (a Sandbox's `wrap`). Everything gaffer
 * starts on the agent's behalf takes one; without it the command runs as is. A wrapped command is
 * spawned in a session of its own, which keeps it off gaffer's terminal, and at the priority of
 * sandboxed work (placeStarted).
 */
export type CommandWrapper = (
  argv: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; extraEnv?: Record<string, string> },
) => { argv: string[]; env: NodeJS.ProcessEnv; spawned?: (pid: number) => void };

export interface ProcessOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string;
  timeoutMs?: number;
  /** Bytes of combined stdout+stderr kept in `output` (head and tail); the rest is only counted. */
  maxOutputBytes?: number;
  /** Every chunk as it arrives, with the stream it came from. */
  onOutput?: (chunk: Buffer, stream: "stdout" | "stderr") => void;
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL to the process group on timeout or abort. */
  killGraceMs?: number;
  wrap?: CommandWrapper;
  /** Variables of this command itself, kept even when `wrap` filters the environment. */
  extraEnv?: Record<string, string>;
  /**
   * How the command is scheduled (placeStarted): by default a wrapped command as sandboxed work,
   * any other as gaffer's own. gaffer's own short checks run in a sandbox say "command".
   */
  placement?: StartedProcess;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES…). */
  spawnError: string | null;
  output: string;
  outputBytes: number;
  truncated: boolean;
  durationMs: number;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/**
 * Runs a program in its own process group, without a shell, capturing combined output.
 * A timeout or an abort kills the whole group: SIGTERM, then SIGKILL after the grace period.
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const started = Date.now();
  const capture = new OutputCapture(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
  const extraEnv = options.extraEnv ?? {};
  const env = options.wrap ? (options.env ?? process.env) : { ...(options.env ?? process.env), ...extraEnv };
  const wrapped = options.wrap
    ? options.wrap([file, ...args], { cwd: options.cwd, env, extraEnv })
    : undefined;
  const [program, ...programArgs] = wrapped ? wrapped.argv : [file, ...args];
  return new Promise((resolve) => {
    const child = spawn(program as string, programArgs, {
      cwd: options.cwd,
      env: wrapped ? wrapped.env : env,
      detached: true,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    placeStarted(child.pid, options.placement ?? (wrapped ? "sandboxed" : "command"));
    if (child.pid !== undefined) wrapped?.spawned?.(child.pid);
    let timedOut = false;
    let cancelled = false;
    let spawnError: string | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.pid === undefined) return;
      killGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(
        () => child.pid !== undefined && killGroup(child.pid, "SIGKILL"),
        options.killGraceMs ?? 2000,
      );
      killTimer.unref();
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    const onData = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      capture.add(chunk);
      options.onOutput?.(chunk, stream);
    };
    child.stdout?.on("data", onData("stdout"));
    child.stderr?.on("data", onData("stderr"));
    child.stdin?.on("error", () => {});
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on("error", (error) => {
      spawnError = error.message;
    });
    // Once the main process is gone, whatever it left in its group (a backgrounded child holding
    // the output pipes open, say) goes too; otherwise "close" would wait for it forever.
    child.on("exit", () => {
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    });
    child.on("close", (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({
        exitCode,
        signal,
        timedOut,
        cancelled,
        spawnError,
        output: capture.text(),
        outputBytes: capture.total,
        truncated: capture.truncated,
        durationMs: Date.now() - started,
      });
    });
  });
}

/** Runs a command line through `/bin/sh -c`, for user-written commands such as gate steps. */
export function runShell(command: string, options: ProcessOptions): Promise<ProcessResult> {
  return runProcess("/bin/sh", ["-c", command], options);
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}

/** Keeps the first and last halves of a byte budget, so both the start and the verdict survive. */
class OutputCapture {
  readonly #limit: number;
  #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  total = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get truncated(): boolean {
    return this.total > this.#limit;
  }

  add(chunk: Buffer): void {
    this.total += chunk.length;
    const headRoom = Math.ceil(this.#limit / 2) - this.#headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.#head.push(part);
      this.#headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    const tailLimit = Math.floor(this.#limit / 2);
    while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= tailLimit && this.#tail.length > 1) {
      this.#tailBytes -= this.#tail.shift()?.length ?? 0;
    }
  }

  text(): string {
    const head = Buffer.concat(this.#head).toString("utf8");
    let tail = Buffer.concat(this.#tail);
    if (!this.truncated) return head + tail.toString("utf8");
    tail = tail.subarray(Math.max(0, tail.length - Math.floor(this.#limit / 2)));
    const omitted = this.total - this.#headBytes - tail.length;
    return `${head}\n[… ${omitted} bytes omitted …]\n${tail.toString("utf8")}`;
  }
}
