import type { AgentUpdate, StopReason } from "../types.ts";
import {
  arrayAt,
  isObject,
  numberAt,
  objectAt,
  otherUpdate,
  type StreamEvent,
  type StreamParser,
  shellToolKind,
  stringAt,
} from "./stream.ts";

/**
 * `claude -p --output-format stream-json --verbose`: `system` (init), `assistant` and `user`
 * messages whose content blocks are text, thinking, tool_use and tool_result, then one `result`.
 */
export const claudeStream: StreamParser = {
  updates(event) {
    switch (event.type) {
      case "assistant":
        return contentOf(event).flatMap(assistantBlock);
      case "user":
        return contentOf(event).flatMap(toolResult);
      case "result":
        return arrayAt(event, "permission_denials").flatMap(denial);
      default:
        return [otherUpdate(event)];
    }
  },
  summarize(summary, event) {
    if (event.type !== "result") return summary;
    const usage = objectAt(event, "usage");
    const stopReason = resultStopReason(event);
    return {
      stopReason,
      ...(stopReason === "error" && { error: resultError(event) }),
      usage: {
        // Cache writes are billed as (dearer) input; only cache reads count as cached.
        inputTokens: numberAt(usage, "input_tokens") + numberAt(usage, "cache_creation_input_tokens"),
        outputTokens: numberAt(usage, "output_tokens"),
        cachedTokens: numberAt(usage, "cache_read_input_tokens"),
        costAmount: numberAt(event, "total_cost_usd"),
        costCurrency: "USD",
      },
    };
  },
};

function contentOf(event: StreamEvent): unknown[] {
  return arrayAt(objectAt(event, "message"), "content");
}

function assistantBlock(block: unknown): AgentUpdate[] {
  const text = stringAt(block, "text");
  const thinking = stringAt(block, "thinking");
  switch (stringAt(block, "type")) {
    case "text":
      return text ? [{ kind: "message", text }] : [];
    case "thinking":
      return thinking ? [{ kind: "thought", text: thinking }] : [];
    case "tool_use": {
      const name = stringAt(block, "name") ?? "tool";
      const command = stringAt(objectAt(block, "input"), "command");
      const title = command === undefined ? name : `${name}: ${command}`;
      return [
        {
          kind: "tool-call",
          id: stringAt(block, "id") ?? "",
          title,
          status: "pending",
          ...shellToolKind(name),
        },
      ];
    }
    default:
      return [];
  }
}

function toolResult(block: unknown): AgentUpdate[] {
  if (stringAt(block, "type") !== "tool_result") return [];
  const failed = isObject(block) && block.is_error === true;
  return [
    {
      kind: "tool-call-update",
      id: stringAt(block, "tool_use_id") ?? "",
      status: failed ? "failed" : "completed",
    },
  ];
}

/** Claude's own permission settings refused a tool call (e.g. a deny rule for `git push`). */
function denial(entry: unknown): AgentUpdate[] {
  const command = stringAt(objectAt(entry, "tool_input"), "command");
  const title = stringAt(entry, "tool_name") ?? "tool";
  return [{ kind: "permission", title, ...(command !== undefined && { command }), decision: "reject" }];
}

function resultStopReason(event: StreamEvent): StopReason {
  const subtype = stringAt(event, "subtype");
  if (subtype === "error_max_turns") return "max_turn_requests";
  return subtype === "success" && event.is_error !== true ? "end_turn" : "error";
}

function resultError(event: StreamEvent): string {
  const errors = arrayAt(event, "errors").filter((e) => typeof e === "string");
  return (
    errors.join("; ") || stringAt(event, "result") || stringAt(event, "subtype") || "claude reported an error"
  );
}
