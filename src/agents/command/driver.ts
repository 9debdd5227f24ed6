import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProcessResult, runProcess } from "../../util/process.ts";
import { requireProgram } from "../preflight.ts";
import type { AgentDriver, AgentSession, PromptRequest, SessionContext, TurnResult } from "../types.ts";
import { parseTemplate } from "./template.ts";

const PROMPT_FILE = "{prompt_file}";
const MAX_LINE = 64 * 1024;

/**
 * Drives any CLI from a command template such as `my-agent --print --prompt-file {prompt_file}`
 * (the Module-25 runner's AGENT_CMD). The template is split into words and run without a shell.
 * With `{prompt_file}` the prompt goes to a temporary .md file; otherwise it is piped on stdin.
 */
export class CommandDriver implements AgentDriver {
  readonly name: string;
  readonly #template: string;

  constructor(name: string, template: string) {
    this.name = name;
    this.#template = template;
  }

  async startSession(context: SessionContext): Promise<AgentSession> {
    const words = parseTemplate(this.name, this.#template);
    await requireProgram(words[0] as string, { cwd: context.workspace, env: context.env });
    return new CommandSession(words, context);
  }
}

class CommandSession implements AgentSession {
  readonly #words: string[];
  readonly #context: SessionContext;
  #abort: AbortController | undefined;
  #running: Promise<TurnResult> | undefined;

  constructor(words: string[], context: SessionContext) {
    this.#words = words;
    this.#context = context;
  }

  async prompt(request: PromptRequest): Promise<TurnResult> {
    this.#abort = new AbortController();
    this.#running = this.#run(request, this.#abort.signal);
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  /** Kills the command's process group (SIGTERM, then SIGKILL) and waits for the turn to end. */
  async cancel(): Promise<void> {
    this.#abort?.abort();
    await this.#running;
  }

  async close(): Promise<void> {
    await this.cancel();
  }

  async #run(request: PromptRequest, signal: AbortSignal): Promise<TurnResult> {
    const usesFile = this.#words.some((word) => word.includes(PROMPT_FILE));
    const dir = usesFile ? await promptDir(this.#context.workspace) : undefined;
    try {
      const promptFile = dir === undefined ? "" : join(dir, "prompt.md");
      if (dir !== undefined) await writeFile(promptFile, request.text);
      const [program, ...args] = this.#words.map((word) => word.replaceAll(PROMPT_FILE, promptFile));
      const lines = new LineSplitter((text) => this.#context.onUpdate({ kind: "output", text }));
      const result = await runProcess(program as string, args, {
        cwd: this.#context.workspace,
        env: this.#context.env,
        extraEnv: attemptEnv(request),
        ...(usesFile ? {} : { input: request.text }),
        timeoutMs: this.#context.turnTimeoutMs,
        onOutput: (chunk) => lines.add(chunk),
        signal,
        ...(this.#context.wrap && { wrap: this.#context.wrap }),
      });
      lines.flush();
      return turnResult(program as string, result);
    } finally {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Lets a wrapper script see which attempt it is on, as an ACP agent sees `_meta.gaffer`. */
function attemptEnv(request: PromptRequest): Record<string, string> {
  return {
    GAFFER_ATTEMPT: String(request.attempt),
    GAFFER_RUN_ID: String(request.runId),
    GAFFER_ITEM_ID: String(request.itemId),
  };
}

function turnResult(program: string, result: ProcessResult): TurnResult {
  if (result.spawnError)
    return {
      stopReason: "error",
      error: `agent command cannot be started: ${program}: ${result.spawnError}`,
    };
  if (result.timedOut) return { stopReason: "timeout" };
  if (result.cancelled) return { stopReason: "cancelled" };
  if (result.exitCode === 0) return { stopReason: "end_turn" };
  const how =
    result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  return { stopReason: "error", error: `agent command ${how}` };
}

/** Turns a byte stream into whole lines (the last partial line comes out on flush). */
class LineSplitter {
  readonly #emit: (line: string) => void;
  readonly #decoder = new TextDecoder();
  #pending = "";

  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  add(chunk: Buffer): void {
    const lines = (this.#pending + this.#decoder.decode(chunk, { stream: true })).split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) this.#emit(line.replace(/\r$/, ""));
    // A line that never ends still comes out, in pieces.
    if (this.#pending.length > MAX_LINE) {
      this.#emit(this.#pending);
      this.#pending = "";
    }
  }

  flush(): void {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = "";
    if (rest) this.#emit(rest);
  }
}

/**
 * Where the prompt file goes: inside the workspace's `.git/`, which the agent can read even in its
 * sandbox (its /tmp is private) and which never ends up in a commit; a plain temp dir otherwise.
 */
async function promptDir(workspace: string): Promise<string> {
  const gitDir = join(workspace, ".git");
  const isRepository = await stat(gitDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return mkdtemp(isRepository ? join(gitDir, "gaffer-prompt-") : join(tmpdir(), "gaffer-prompt-"));
}
