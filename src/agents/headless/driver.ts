import { deniedCommandLine } from "../policy-check.ts";
import { requireProgram } from "../preflight.ts";
import { LineSplitter } from "../process/lines.ts";
import { attemptEnv, ProcessSession } from "../process/session.ts";
import type {
  AgentDriver,
  AgentPreset,
  AgentSession,
  AgentUpdate,
  CommandPolicy,
  PromptRequest,
  SessionContext,
  TurnResult,
} from "../types.ts";
import { HEADLESS_FORMATS } from "./formats.ts";
import { StreamReader } from "./reader.ts";
import { OWN_RULES, type Usage } from "./stream.ts";
import { runProcess } from "../../util/index.ts";

type HeadlessPreset = AgentPreset & { driver: "headless" };

/**
 * Drives an agent CLI without ACP through its non-interactive JSON mode (`claude -p`, `codex exec`,
 * `gemini`, `opencode run`): one process per turn, its stream parsed into AgentUpdates as it comes.
 */
export class HeadlessDriver implements AgentDriver {
  readonly name: string;
  readonly #preset: HeadlessPreset;

  constructor(preset: HeadlessPreset) {
    this.name = preset.name;
    this.#preset = preset;
  }

  async startSession(context: SessionContext): Promise<AgentSession> {
    await requireProgram(this.#preset.program, { cwd: context.workspace, env: context.env });
    let spent: Usage | undefined;
    return new ProcessSession(async (request, signal) => {
      const onUpdate = (update: AgentUpdate) => context.onUpdate(withGafferRule(update, context.policy));
      const reader = new StreamReader(HEADLESS_FORMATS[this.#preset.format].parser, onUpdate, spent);
      const result = await runTurn(this.#preset, context, request, signal, reader);
      spent = reader.sessionUsage;
      return result;
    });
  }
}

/**
 * A command the agent's own rules refused is named by the rule of gaffer's that refuses it too
 * (`git push (the agent's own rules)`), so it is weighed and shown like gaffer's own refusals.
 */
function withGafferRule(update: AgentUpdate, policy: CommandPolicy): AgentUpdate {
  if (update.kind !== "terminal" || update.denied !== OWN_RULES) return update;
  const rule = deniedCommandLine(policy, update.command);
  return rule === undefined ? update : { ...update, denied: `${rule} (${OWN_RULES})` };
}

async function runTurn(
  preset: HeadlessPreset,
  context: SessionContext,
  request: PromptRequest,
  signal: AbortSignal,
  reader: StreamReader,
): Promise<TurnResult> {
  const { args, input } = HEADLESS_FORMATS[preset.format].invocation(request.text, preset.model);
  const stdout = new LineSplitter((line) => reader.stdoutLine(line));
  const stderr = new LineSplitter((line) => reader.stderrLine(line));
  const result = await runProcess(preset.program, args, {
    cwd: context.workspace,
    env: context.env,
    extraEnv: attemptEnv(request),
    ...(input !== undefined && { input }),
    timeoutMs: context.turnTimeoutMs,
    onOutput: (chunk, stream) => (stream === "stdout" ? stdout : stderr).add(chunk),
    signal,
    ...(context.wrap && { wrap: context.wrap }),
  });
  stdout.flush();
  stderr.flush();
  return reader.turnResult(preset.program, result);
}
