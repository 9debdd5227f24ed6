import type * as acp from "@agentclientprotocol/sdk";
import type { AgentUpdate } from "../types.ts";

type UsageUpdate = Extract<AgentUpdate, { kind: "usage" }>;

/**
 * A turn's token counts from its prompt response, where the agent gives them (cost, when
 * reported, comes in `usage_update`s):
 * - ACP's (still unstable) `usage`, as claude-agent-acp and codex-acp send it. Cache writes are
 *   billed as (dearer) input, so they count as input; cache reads as cached.
 * - Gemini CLI's `_meta.quota.token_count`: input (cached tokens included, not told apart) and output.
 */
export function turnUsage(response: acp.PromptResponse): UsageUpdate | undefined {
  return acpUsage(response) ?? geminiQuota(response);
}

function acpUsage(response: acp.PromptResponse): UsageUpdate | undefined {
  const usage = (response as { usage?: unknown }).usage;
  const input = numberAt(usage, "inputTokens");
  if (input === undefined) return undefined;
  const output = numberAt(usage, "outputTokens");
  const cached = numberAt(usage, "cachedReadTokens");
  return {
    kind: "usage",
    inputTokens: input + (numberAt(usage, "cachedWriteTokens") ?? 0),
    ...(output !== undefined && { outputTokens: output }),
    ...(cached !== undefined && { cachedTokens: cached }),
  };
}

function geminiQuota(response: acp.PromptResponse): UsageUpdate | undefined {
  const quota = (response._meta as { quota?: { token_count?: unknown } } | null | undefined)?.quota;
  const input = numberAt(quota?.token_count, "input_tokens");
  if (input === undefined) return undefined;
  const output = numberAt(quota?.token_count, "output_tokens");
  return { kind: "usage", inputTokens: input, ...(output !== undefined && { outputTokens: output }) };
}

function numberAt(value: unknown, key: string): number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === "number" && Number.isFinite(inner) && inner >= 0 ? inner : undefined;
}
