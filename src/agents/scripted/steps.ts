import { mkdir, writeFile } from "node:fs/promises";
import { dirname, isAbsolute } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import * as acp from "@agentclientprotocol/sdk";
import { messageOf } from "../../errors.ts";
import type { Step } from "./scenario.ts";
import { joinShellWords, runShell } from "../../util/index.ts";

/** What a step may use while it plays. */
export interface StepContext {
  client: acp.AgentContext;
  sessionId: string;
  /** The session's cwd: relative step paths are relative to it. */
  cwd: string;
  /** Aborted when the turn is cancelled or the connection closes. */
  signal: AbortSignal;
  /** 0-based position of the step in its attempt. */
  index: number;
  /** Ends the agent with an exit code (subprocess) or fails the turn (in-process). */
  crash(code: number, message: string): never;
}

/** A stop reason ends the turn; undefined goes on to the next step. */
type StepResult = acp.StopReason | undefined;

export async function runStep(step: Step, ctx: StepContext): Promise<StepResult> {
  switch (step.kind) {
    case "say":
      return await chunk(ctx, "agent_message_chunk", step.text);
    case "think":
      return await chunk(ctx, "agent_thought_chunk", step.text);
    case "plan":
      return await update(ctx, {
        sessionUpdate: "plan",
        entries: step.entries.map((e) => ({
          content: e.content,
          status: e.status ?? "pending",
          priority: e.priority ?? "medium",
        })),
      });
    case "write":
      return await tool(ctx, `write ${step.path}`, "edit", () => writeText(ctx, step.path, step.content));
    case "edit":
      return await tool(ctx, `edit ${step.path}`, "edit", () => edit(ctx, step.path, step.old, step.new));
    case "read":
      return await tool(ctx, `read ${step.path}`, "read", async () => void (await readText(ctx, step.path)));
    case "run":
      return await tool(ctx, step.command, "execute", () => run(ctx, step.command, step.expectExit));
    case "commit":
      return await tool(ctx, `commit "${step.message}"`, "execute", () =>
        run(ctx, commitScript(step.message), 0),
      );
    case "ask":
      return await ask(ctx, step);
    case "usage":
      return await update(ctx, {
        sessionUpdate: "usage_update",
        used: step.used,
        size: step.size,
        cost: step.cost === undefined ? null : { amount: step.cost, currency: step.currency },
        ...(step.tokens && { _meta: { gaffer: step.tokens } }),
      });
    case "sleep":
      return await wait(ctx.signal, step.ms);
    case "stall":
      return await wait(ctx.signal, undefined);
    case "crash":
      return ctx.crash(step.code, step.message);
    case "direct_write":
      await mkdir(dirname(pathIn(ctx, step.path)), { recursive: true });
      await writeFile(pathIn(ctx, step.path), step.content);
      return undefined;
    case "shell":
      await runShell(step.command, { cwd: ctx.cwd, signal: ctx.signal });
      return undefined;
    case "stop":
      return step.reason;
    default:
      return step satisfies never;
  }
}

async function update(ctx: StepContext, update: acp.SessionUpdate): Promise<StepResult> {
  await ctx.client.notify(acp.methods.client.session.update, { sessionId: ctx.sessionId, update });
  return undefined;
}

function chunk(ctx: StepContext, kind: "agent_message_chunk" | "agent_thought_chunk", text: string) {
  return update(ctx, { sessionUpdate: kind, content: { type: "text", text } });
}

/** Wraps a client call in tool_call updates. A refused call is reported, like a real agent would, and the turn goes on. */
async function tool(
  ctx: StepContext,
  title: string,
  kind: acp.ToolKind,
  work: () => Promise<void>,
): Promise<StepResult> {
  const toolCallId = `call-${ctx.index + 1}`;
  await update(ctx, { sessionUpdate: "tool_call", toolCallId, title, kind, status: "in_progress" });
  try {
    await work();
  } catch (error) {
    if (error instanceof StepFailure) throw fail(ctx, title, error.message);
    await update(ctx, { sessionUpdate: "tool_call_update", toolCallId, status: "failed" });
    return await chunk(ctx, "agent_message_chunk", `${title} was refused: ${messageOf(error)}`);
  }
  return await update(ctx, { sessionUpdate: "tool_call_update", toolCallId, status: "completed" });
}

/** A broken expectation of the scenario itself: it fails the turn instead of being reported. */
class StepFailure extends Error {}

function fail(ctx: StepContext, title: string, message: string): acp.RequestError {
  return acp.RequestError.internalError(undefined, `scenario step ${ctx.index + 1} (${title}): ${message}`);
}

/** Joined as written, not normalised, as an agent would send it: `link/..` is gaffer's to resolve. */
function pathIn(ctx: StepContext, path: string): string {
  return isAbsolute(path) ? path : `${ctx.cwd}/${path}`;
}

async function writeText(ctx: StepContext, path: string, content: string): Promise<void> {
  await ctx.client.request(acp.methods.client.fs.writeTextFile, {
    sessionId: ctx.sessionId,
    path: pathIn(ctx, path),
    content,
  });
}

async function readText(ctx: StepContext, path: string): Promise<string> {
  const { content } = await ctx.client.request(acp.methods.client.fs.readTextFile, {
    sessionId: ctx.sessionId,
    path: pathIn(ctx, path),
  });
  return content;
}

/**
 * Idempotent: an edit that was already made is left alone, so a replayed attempt does no harm.
 * When the new text contains the old (an insertion around it), finding the new text means done.
 */
async function edit(ctx: StepContext, path: string, oldText: string, newText: string): Promise<void> {
  const content = await readText(ctx, path);
  const applied = newText.includes(oldText)
    ? content.includes(newText)
    : !content.includes(oldText) && content.includes(newText);
  if (applied) return;
  if (!content.includes(oldText)) throw new StepFailure(`neither the old nor the new text is in ${path}`);
  await writeText(
    ctx,
    path,
    content.replace(oldText, () => newText),
  );
}

async function run(ctx: StepContext, script: string, expectExit?: number): Promise<void> {
  let terminal: acp.TerminalHandle;
  try {
    terminal = await ctx.client.createTerminal({
      sessionId: ctx.sessionId,
      command: "sh",
      args: ["-c", script],
      cwd: ctx.cwd,
    });
  } catch (error) {
    if (expectExit !== undefined) throw new StepFailure(`could not run: ${messageOf(error)}`);
    throw error;
  }
  try {
    const { exitCode } = await terminal.waitForExit();
    if (expectExit !== undefined && exitCode !== expectExit) {
      throw new StepFailure(`expected exit code ${expectExit}, got ${exitCode ?? "a signal"}`);
    }
  } finally {
    await terminal.release().catch(() => {});
  }
}

function commitScript(message: string): string {
  return `git add -A && { git diff --cached --quiet || git commit -q -m ${joinShellWords([message])}; }`;
}

const PERMISSION_OPTIONS: acp.PermissionOption[] = [
  { optionId: "always", name: "Always allow", kind: "allow_always" },
  { optionId: "once", name: "Allow", kind: "allow_once" },
  { optionId: "reject", name: "Reject", kind: "reject_once" },
  { optionId: "never", name: "Never allow", kind: "reject_always" },
];

/**
 * Asks for permission the way real agents do, offering the "always" options too: an `execute`
 * request carries its command as rawInput, any kind carries its locations (absolute paths).
 */
async function ask(ctx: StepContext, step: Extract<Step, { kind: "ask" }>): Promise<StepResult> {
  const { command, onReject, toolKind } = step;
  const toolCallId = `call-${ctx.index + 1}`;
  const locations = step.locations.map((path) => ({ path: pathIn(ctx, path) }));
  await update(ctx, {
    sessionUpdate: "tool_call",
    toolCallId,
    title: command,
    kind: toolKind,
    status: "pending",
    ...(locations.length > 0 && { locations }),
  });
  const toolCall: acp.ToolCallUpdate = {
    toolCallId,
    title: command,
    kind: toolKind,
    ...(locations.length > 0 && { locations }),
    ...(toolKind === "execute" && { rawInput: { command } }),
  };
  const { outcome } = await ctx.client.request(acp.methods.client.session.requestPermission, {
    sessionId: ctx.sessionId,
    toolCall,
    options: PERMISSION_OPTIONS,
  });
  if (outcome.outcome === "cancelled") return "cancelled";
  const allowed = outcome.optionId === "always" || outcome.optionId === "once";
  await update(ctx, {
    sessionUpdate: "tool_call_update",
    toolCallId,
    status: allowed ? "completed" : "failed",
  });
  return !allowed && onReject === "stop" ? "end_turn" : undefined;
}

/** Waits `ms` (or forever) unless the turn is cancelled first. */
async function wait(signal: AbortSignal, ms: number | undefined): Promise<StepResult> {
  if (ms !== undefined) {
    await delay(ms, undefined, { signal }).catch(() => {});
  } else if (!signal.aborted) {
    await new Promise<void>((done) => signal.addEventListener("abort", () => done(), { once: true }));
  }
  return undefined;
}
