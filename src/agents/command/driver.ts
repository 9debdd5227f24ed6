import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireProgram } from "../preflight.ts";
import { LineSplitter } from "../process/lines.ts";
import { attemptEnv, ProcessSession, processTurnResult } from "../process/session.ts";
import type { AgentDriver, AgentSession, PromptRequest, SessionContext, TurnResult } from "../types.ts";
import { parseTemplate } from "./template.ts";
import { runProcess, writeFreshFile } from "../../util/index.ts";

const PROMPT_FILE = "{prompt_file}";

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
    return new ProcessSession((request, signal) => runTemplate(words, context, request, signal));
  }
}

async function runTemplate(
  words: readonly string[],
  context: SessionContext,
  request: PromptRequest,
  signal: AbortSignal,
): Promise<TurnResult> {
  const usesFile = words.some((word) => word.includes(PROMPT_FILE));
  const dir = usesFile ? await promptDir(context.workspace) : undefined;
  try {
    const promptFile = dir === undefined ? "" : join(dir, "prompt.md");
    if (dir !== undefined) writeFreshFile(promptFile, request.text, { within: dir });
    const [program, ...args] = words.map((word) => word.replaceAll(PROMPT_FILE, promptFile));
    const lines = new LineSplitter((text) => context.onUpdate({ kind: "output", text }));
    const result = await runProcess(program as string, args, {
      cwd: context.workspace,
      env: context.env,
      extraEnv: attemptEnv(request),
      ...(usesFile ? {} : { input: request.text }),
      timeoutMs: context.turnTimeoutMs,
      onOutput: (chunk) => lines.add(chunk),
      signal,
      ...(context.wrap && { wrap: context.wrap }),
    });
    lines.flush();
    return processTurnResult(program as string, result);
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Where the prompt file goes: inside the workspace's `.git/`, which the agent can read even in its
 * sandbox (its /tmp is private) and which never ends up in a commit; a plain temp dir otherwise.
 * The agent can write `.git/`, so the directory is a new one and `.git` must be a real directory.
 */
async function promptDir(workspace: string): Promise<string> {
  const gitDir = join(workspace, ".git");
  const isRepository = await lstat(gitDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return mkdtemp(isRepository ? join(gitDir, "gaffer-prompt-") : join(tmpdir(), "gaffer-prompt-"));
}
