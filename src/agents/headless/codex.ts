import type { AgentUpdate } from "../types.ts";
import {
  arrayAt,
  isObject,
  numberAt,
  objectAt,
  otherUpdate,
  type StreamEvent,
  type StreamParser,
  OWN_RULES,
  stringAt,
} from "./stream.ts";

/**
 * `codex exec --json`: `thread.started`, `turn.started`, `item.started|updated|completed` (items:
 * agent_message, reasoning, command_execution, file_change, mcp_tool_call, todo_list, error…),
 * then `turn.completed {usage}` or `turn.failed {error}`; `error` for stream problems.
 */
export const codexStream: StreamParser = {
  updates(event) {
    switch (event.type) {
      case "item.started":
      case "item.updated":
      case "item.completed":
        return itemUpdates(event);
      case "error":
        return [{ kind: "output", text: stringAt(event, "message") ?? "codex error" }];
      case "turn.completed":
      case "turn.failed":
        return [];
      default:
        return [otherUpdate(event)];
    }
  },
  summarize(summary, event) {
    switch (event.type) {
      case "turn.completed":
        return { ...summary, stopReason: "end_turn", usage: codexUsage(objectAt(event, "usage")) };
      case "turn.failed":
        return {
          ...summary,
          stopReason: "error",
          error: stringAt(objectAt(event, "error"), "message") ?? "turn failed",
        };
      case "error":
        return { ...summary, error: stringAt(event, "message") ?? "codex error" };
      default:
        return summary;
    }
  },
};

/** Codex counts cached tokens inside `input_tokens`; gaffer counts them apart. No money is reported. */
function codexUsage(usage: Record<string, unknown>) {
  const cached = numberAt(usage, "cached_input_tokens");
  return {
    inputTokens: numberAt(usage, "input_tokens") - cached,
    outputTokens: numberAt(usage, "output_tokens"),
    cachedTokens: cached,
  };
}

function itemUpdates(event: StreamEvent): AgentUpdate[] {
  const item = objectAt(event, "item");
  const id = stringAt(item, "id") ?? "";
  const started = event.type === "item.started";
  const completed = event.type === "item.completed";
  switch (stringAt(item, "type")) {
    case "agent_message":
      return completed ? textUpdate("message", item) : [];
    case "reasoning":
      return completed ? textUpdate("thought", item) : [];
    case "command_execution": {
      const command = stringAt(item, "command") ?? "command";
      const updates = toolUpdates(started, id, command, item, "execute");
      // Codex's own rules (gaffer writes them, see guard/agent-rules) refused it: a refusal like gaffer's.
      if (completed && stringAt(item, "status") === "declined")
        updates.push({ kind: "terminal", command, exitCode: null, denied: OWN_RULES });
      return updates;
    }
    case "mcp_tool_call":
      return toolUpdates(started, id, `${stringAt(item, "server")}.${stringAt(item, "tool")}`, item);
    case "file_change":
      return completed
        ? [
            {
              kind: "tool-call",
              id,
              title: `edit ${changedPaths(item)}`,
              status: toolStatus(item),
              toolKind: "edit",
            },
          ]
        : [];
    case "todo_list":
      return [{ kind: "plan", entries: arrayAt(item, "items").map(planEntry) }];
    case "error":
      return [{ kind: "output", text: stringAt(item, "message") ?? "codex error" }];
    default:
      return [otherUpdate(event)];
  }
}

function textUpdate(kind: "message" | "thought", item: Record<string, unknown>): AgentUpdate[] {
  const text = stringAt(item, "text");
  return text ? [{ kind, text }] : [];
}

function toolUpdates(
  started: boolean,
  id: string,
  title: string,
  item: Record<string, unknown>,
  toolKind?: string,
): AgentUpdate[] {
  if (started)
    return [{ kind: "tool-call", id, title, status: "in_progress", ...(toolKind && { toolKind }) }];
  return [{ kind: "tool-call-update", id, status: toolStatus(item) }];
}

/** Item statuses in ACP's words; a command Codex's rules refused is `declined`, i.e. failed. */
function toolStatus(item: Record<string, unknown>): string {
  const status = stringAt(item, "status");
  if (status === "completed" || status === "in_progress") return status;
  return status === undefined ? "completed" : "failed";
}

function changedPaths(item: Record<string, unknown>): string {
  return arrayAt(item, "changes")
    .map((change) => stringAt(change, "path"))
    .filter(Boolean)
    .join(", ");
}

function planEntry(entry: unknown): { content: string; status: string } {
  const done = isObject(entry) && entry.completed === true;
  return { content: stringAt(entry, "text") ?? "", status: done ? "completed" : "pending" };
}
