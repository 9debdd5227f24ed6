import * as acp from "@agentclientprotocol/sdk";
import { deniedCommand } from "../policy-check.ts";
import type { SessionContext } from "../types.ts";
import type { WorkspaceFs } from "./workspace-fs.ts";
import { joinShellWords, type ProcessResult, runProcess } from "../../util/index.ts";

const DEFAULT_OUTPUT_LIMIT = 1024 * 1024;
const KILL_GRACE_MS = 500;

interface Terminal {
  readonly line: string;
  readonly output: OutputTail;
  readonly abort: AbortController;
  readonly done: Promise<acp.TerminalExitStatus>;
  exitStatus?: acp.TerminalExitStatus;
}

/**
 * The ACP `terminal/*` handlers: gaffer runs each command itself, without a shell, in its own
 * process group, after the policy has had its say.
 */
export class Terminals {
  readonly #context: SessionContext;
  readonly #fs: WorkspaceFs;
  readonly #terminals = new Map<string, Terminal>();
  #nextId = 1;

  constructor(context: SessionContext, fs: WorkspaceFs) {
    this.#context = context;
    this.#fs = fs;
  }

  async create(params: acp.CreateTerminalRequest): Promise<acp.CreateTerminalResponse> {
    const args = params.args ?? [];
    const line = joinShellWords([params.command, ...args]);
    const rule = deniedCommand(this.#context.policy, params.command, args);
    if (rule !== undefined) {
      this.#context.onUpdate({ kind: "terminal", command: line, exitCode: null, denied: rule });
      throw acp.RequestError.invalidRequest(
        { rule },
        `command denied by gaffer policy rule "${rule}": ${line}`,
      );
    }
    const cwd = await this.#fs.directory(params.cwd);
    const requested = Object.fromEntries((params.env ?? []).map((v) => [v.name, v.value]));
    // The agent may ask to keep more, but what gaffer holds in memory for it stays bounded.
    const output = new OutputTail(
      Math.min(params.outputByteLimit ?? DEFAULT_OUTPUT_LIMIT, DEFAULT_OUTPUT_LIMIT),
    );
    const abort = new AbortController();
    const run = runProcess(params.command, args, {
      cwd,
      env: this.#context.env,
      extraEnv: requested,
      onOutput: (chunk) => {
        output.add(chunk);
        this.#context.onTerminalOutput?.(chunk.length);
      },
      signal: abort.signal,
      maxOutputBytes: 0,
      killGraceMs: KILL_GRACE_MS,
      ...(this.#context.wrap && { wrap: this.#context.wrap }),
    });
    const terminalId = `term-${this.#nextId++}`;
    const terminal: Terminal = {
      line,
      output,
      abort,
      done: run.then((result) => this.#finish(terminal, result)),
    };
    this.#terminals.set(terminalId, terminal);
    return { terminalId };
  }

  output(params: acp.TerminalOutputRequest): acp.TerminalOutputResponse {
    const terminal = this.#get(params.terminalId);
    return {
      output: terminal.output.text(),
      truncated: terminal.output.truncated,
      exitStatus: terminal.exitStatus ?? null,
    };
  }

  async waitForExit(params: acp.WaitForTerminalExitRequest): Promise<acp.WaitForTerminalExitResponse> {
    return await this.#get(params.terminalId).done;
  }

  kill(params: acp.KillTerminalRequest): acp.KillTerminalResponse {
    this.#get(params.terminalId).abort.abort();
    return {};
  }

  release(params: acp.ReleaseTerminalRequest): acp.ReleaseTerminalResponse {
    this.#get(params.terminalId).abort.abort();
    this.#terminals.delete(params.terminalId);
    return {};
  }

  /** Kills every terminal's process group and waits until they are gone; their output stays readable. */
  async killAll(): Promise<void> {
    const all = [...this.#terminals.values()];
    for (const terminal of all) terminal.abort.abort();
    await Promise.all(all.map((terminal) => terminal.done));
  }

  #get(terminalId: string): Terminal {
    const terminal = this.#terminals.get(terminalId);
    if (!terminal) throw acp.RequestError.resourceNotFound(`terminal:${terminalId}`);
    return terminal;
  }

  #finish(terminal: Terminal, result: ProcessResult): acp.TerminalExitStatus {
    if (result.spawnError)
      terminal.output.add(Buffer.from(`gaffer: cannot run ${terminal.line}: ${result.spawnError}\n`));
    const exitCode = result.spawnError ? 127 : result.exitCode;
    terminal.exitStatus = { exitCode, signal: result.signal };
    this.#context.onUpdate({ kind: "terminal", command: terminal.line, exitCode });
    return terminal.exitStatus;
  }
}

/** Keeps the last `limit` bytes of output, cut at a character boundary, as ACP asks. */
class OutputTail {
  readonly #limit: number;
  #buffer = Buffer.alloc(0);
  truncated = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (this.#buffer.length <= this.#limit) return;
    this.truncated = true;
    let start = this.#buffer.length - this.#limit;
    // Skip UTF-8 continuation bytes so the kept text starts on a whole character.
    while (start < this.#buffer.length && ((this.#buffer[start] ?? 0) & 0xc0) === 0x80) start++;
    this.#buffer = this.#buffer.subarray(start);
  }

  text(): string {
    return this.#buffer.toString("utf8");
  }
}
