import type { AgentUpdate } from "../types.ts";
import {
  numberAt,
  objectAt,
  otherUpdate,
  type StreamEvent,
  type StreamParser,
  shellToolKind,
  stringAt,
} from "./stream.ts";

/**
 * `gemini -o stream-json`: `init`, `message` (user or assistant, maybe `delta` chunks), `tool_use`,
 * `tool_result`, `error` (warnings and errors mid-stream), then one `result {status, stats}`.
 */
export const geminiStream: StreamParser = {
  updates(event) {
    switch (event.type) {
      case "message":
        return assistantText(event);
      case "tool_use":
        return [toolCall(event)];
      case "tool_result": {
        const status = stringAt(event, "status") === "success" ? "completed" : "failed";
        return [{ kind: "tool-call-update", id: stringAt(event, "tool_id") ?? "", status }];
      }
      case "error":
        return [{ kind: "output", text: stringAt(event, "message") ?? "gemini error" }];
      case "result":
        return [];
      default:
        return [otherUpdate(event)];
    }
  },
  summarize(summary, event) {
    if (event.type === "error" && stringAt(event, "severity") !== "warning")
      return { ...summary, error: stringAt(event, "message") ?? "gemini error" };
    if (event.type !== "result") return summary;
    const failed = stringAt(event, "status") !== "success";
    const error =
      stringAt(objectAt(event, "error"), "message") ?? summary.error ?? "gemini reported an error";
    return { stopReason: failed ? "error" : "end_turn", ...(failed && { error }), usage: geminiUsage(event) };
  },
};

function assistantText(event: StreamEvent): AgentUpdate[] {
  const text = stringAt(event, "content");
  return stringAt(event, "role") === "assistant" && text ? [{ kind: "message", text }] : [];
}

function toolCall(event: StreamEvent): AgentUpdate {
  const name = stringAt(event, "tool_name") ?? "tool";
  const command = stringAt(objectAt(event, "parameters"), "command");
  const title = command === undefined ? name : `${name}: ${command}`;
  return {
    kind: "tool-call",
    id: stringAt(event, "tool_id") ?? "",
    title,
    status: "pending",
    ...shellToolKind(name),
  };
}

/** Gemini counts cached tokens inside `input_tokens`; gaffer counts them apart. No money is reported. */
function geminiUsage(event: StreamEvent) {
  const stats = objectAt(event, "stats");
  const cached = numberAt(stats, "cached");
  return {
    inputTokens: numberAt(stats, "input_tokens") - cached,
    outputTokens: numberAt(stats, "output_tokens"),
    cachedTokens: cached,
  };
}
