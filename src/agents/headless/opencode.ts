import type { AgentUpdate, StopReason } from "../types.ts";
import {
  addUsage,
  numberAt,
  objectAt,
  otherUpdate,
  type StreamEvent,
  type StreamParser,
  shellToolKind,
  stringAt,
} from "./stream.ts";

/**
 * `opencode run --format json`: per model step a `step_start`, its `text` and `tool_use` parts (a tool shows up once it has finished), and a `step_finish` with the step's
 * cost and tokens, which add up to the turn's; `error` when the session fails.
 */
export const opencodeStream: StreamParser = {
  updates(event) {
    const part = objectAt(event, "part");
    switch (event.type) {
      case "text": {
        const text = stringAt(part, "text");
        return text ? [{ kind: "message", text }] : [];
      }
      case "tool_use":
        return [toolCall(part)];
      case "error":
        return [{ kind: "output", text: errorText(event) }];
      case "step_finish":
        return [];
      default:
        return [otherUpdate(event)];
    }
  },
  summarize(summary, event) {
    if (event.type === "error") return { ...summary, stopReason: "error", error: errorText(event) };
    if (event.type !== "step_finish") return summary;
    const part = objectAt(event, "part");
    const stopReason = stepStopReason(stringAt(part, "reason"));
    return { ...summary, ...(stopReason && { stopReason }), usage: addUsage(summary.usage, stepUsage(part)) };
  },
};

function toolCall(part: Record<string, unknown>): AgentUpdate {
  const tool = stringAt(part, "tool") ?? "tool";
  const state = objectAt(part, "state");
  const command = stringAt(objectAt(state, "input"), "command");
  const title = command === undefined ? (stringAt(state, "title") ?? tool) : `${tool}: ${command}`;
  const status =
    stringAt(state, "status") === "error" ? "failed" : (stringAt(state, "status") ?? "completed");
  return { kind: "tool-call", id: stringAt(part, "callID") ?? "", title, status, ...shellToolKind(tool) };
}

/** `tool-calls` means another step follows; only the last step's reason ends the turn. */
function stepStopReason(reason: string | undefined): StopReason | undefined {
  if (reason === "stop") return "end_turn";
  if (reason === "length") return "max_tokens";
  return undefined;
}

/** Reasoning tokens are billed as output; cache writes as input. */
function stepUsage(part: Record<string, unknown>) {
  const tokens = objectAt(part, "tokens");
  const cache = objectAt(tokens, "cache");
  return {
    inputTokens: numberAt(tokens, "input") + numberAt(cache, "write"),
    outputTokens: numberAt(tokens, "output") + numberAt(tokens, "reasoning"),
    cachedTokens: numberAt(cache, "read"),
    costAmount: numberAt(part, "cost"),
    costCurrency: "USD",
  };
}

function errorText(event: StreamEvent): string {
  const error = objectAt(event, "error");
  return stringAt(objectAt(error, "data"), "message") ?? stringAt(error, "name") ?? "opencode error";
}
