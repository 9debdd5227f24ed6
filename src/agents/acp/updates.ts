import type * as acp from "@agentclientprotocol/sdk";
import type { AgentUpdate } from "../types.ts";

/** Normalizes one ACP `session/update` into the engine's AgentUpdate. */
export function toAgentUpdate(update: acp.SessionUpdate): AgentUpdate {
  switch (update.sessionUpdate) {
    case "agent_message_chunk":
      return { kind: "message", text: contentText(update.content) };
    case "agent_thought_chunk":
      return { kind: "thought", text: contentText(update.content) };
    case "plan":
      return { kind: "plan", entries: update.entries.map(({ content, status }) => ({ content, status })) };
    case "tool_call":
      return {
        kind: "tool-call",
        id: update.toolCallId,
        title: update.title,
        status: update.status ?? "pending",
        ...(update.kind ? { toolKind: update.kind } : {}),
      };
    case "tool_call_update":
      return {
        kind: "tool-call-update",
        id: update.toolCallId,
        status: update.status ?? "unchanged",
        ...(update.title ? { title: update.title } : {}),
      };
    case "usage_update":
      return {
        kind: "usage",
        used: update.used,
        size: update.size,
        ...(update.cost ? { costAmount: update.cost.amount, costCurrency: update.cost.currency } : {}),
        ...tokensOf(update._meta),
      };
    default:
      return { kind: "other", type: update.sessionUpdate, data: update };
  }
}

const TOKEN_KEYS = ["inputTokens", "outputTokens", "cachedTokens"] as const;

/**
 * ACP's `usage_update` has no token counts, so an agent that knows them may put them in
 * `_meta.gaffer` (`inputTokens`, `outputTokens`, `cachedTokens`, cumulative for the session).
 */
function tokensOf(
  meta: { [key: string]: unknown } | null | undefined,
): Partial<Record<(typeof TOKEN_KEYS)[number], number>> {
  const gaffer = meta?.gaffer;
  if (typeof gaffer !== "object" || gaffer === null) return {};
  const counts = gaffer as Record<string, unknown>;
  return Object.fromEntries(
    TOKEN_KEYS.flatMap((key) => {
      const count = counts[key];
      return typeof count === "number" && Number.isFinite(count) && count >= 0 ? [[key, count]] : [];
    }),
  );
}

function contentText(content: acp.ContentBlock): string {
  switch (content.type) {
    case "text":
      return content.text;
    case "resource_link":
      return `[resource ${content.uri}]`;
    default:
      return `[${content.type}]`;
  }
}
