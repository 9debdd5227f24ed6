import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const GAFFER_BIN = fileURLToPath(new URL("../../bin/gaffer.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface GafferOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** A command gaffer runs under, e.g. `strace -f -o FILE`. */
  under?: readonly string[];
}

/**
 * Starts the real `gaffer` CLI as a subprocess (the same Node that runs the tests). No standby
 * process is started or used (test/e2e/standby.test.ts has its own installations for that): one
 * would outlive the test in the user's cache.
 */
export function startGaffer(args: string[], options: GafferOptions): ChildProcess {
  const [program, ...rest] = [...(options.under ?? []), process.execPath, GAFFER_BIN, ...args];
  return spawn(program as string, rest, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", GAFFER_STANDBY: "off", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function gaffer(args: string[], options: GafferOptions): Promise<CliResult> {
  return collect(startGaffer(args, options));
}
