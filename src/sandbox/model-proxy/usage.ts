import type { ModelApi, TokenUsage } from "../types.ts";

/**
 * Reads a model answer's usage from the JSON objects of its body (each event of a stream, or the
 * whole answer), in the provider's own terms, into gaffer's token classes. Streams repeat or
 * update their counts (Anthropic's output tokens grow, Gemini's chunks are cumulative), so the
 * latest value of each count wins.
 */
export interface UsageReader {
  add(value: unknown): void;
  /** The usage told so far; undefined while no count was seen. */
  result(): { model?: string; usage?: TokenUsage };
}

type Counts = Record<string, number>;
type Json = Record<string, unknown>;

export function usageReader(api: ModelApi): UsageReader {
  const counts: Counts = {};
  let model: string | undefined;
  const read = READERS[api];
  return {
    add(value) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (!isObject(item)) continue;
        model = read(item, counts) ?? model;
      }
    },
    result() {
      const usage = Object.keys(counts).length > 0 ? CLASSES[api](counts) : undefined;
      return { ...(model !== undefined && { model }), ...(usage && { usage }) };
    },
  };
}

/** Takes the counts one object tells into `counts`; returns the model it names. */
type Reader = (item: Json, counts: Counts) => string | undefined;

const READERS: Record<ModelApi, Reader> = {
  /** Messages: `message_start.message.usage`, then `message_delta.usage`; or a whole `message`. */
  anthropic(item, counts) {
    const message = isObject(item.message) ? item.message : item.type === "message" ? item : undefined;
    take(counts, message?.usage);
    take(counts, item.type === "message_delta" ? item.usage : undefined);
    return text(message?.model);
  },
  /** Responses (`response.completed` and its kin, or a whole response) and Chat Completions. */
  openai(item, counts) {
    const response = isObject(item.response) ? item.response : item;
    take(counts, response.usage);
    return text(response.model);
  },
  /** generateContent and each chunk of streamGenerateContent; Code Assist wraps it in `response`. */
  gemini(item, counts) {
    const response = isObject(item.response) ? item.response : item;
    take(counts, response.usageMetadata);
    return text(response.modelVersion);
  },
};

/** Flattens a usage object's numbers: `{a: 1, b_details: {c: 2}}` → `a`, `b_details.c`. */
function take(counts: Counts, usage: unknown, prefix = ""): void {
  if (!isObject(usage)) return;
  for (const [key, value] of Object.entries(usage)) {
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) counts[prefix + key] = value;
    else if (isObject(value) && prefix === "") take(counts, value, `${key}.`);
  }
}

const CLASSES: Record<ModelApi, (counts: Counts) => TokenUsage> = {
  // Input tokens exclude both cache reads and writes; output tokens include any thinking.
  anthropic: (c) =>
    tokens({
      input: n(c.input_tokens),
      output: n(c.output_tokens),
      cacheRead: n(c.cache_read_input_tokens),
      cacheWrite: n(c.cache_creation_input_tokens),
      reasoning: 0,
    }),
  // Input includes the cached tokens and output the reasoning ones, in both APIs.
  openai(c) {
    const cached = n(c["input_tokens_details.cached_tokens"]) || n(c["prompt_tokens_details.cached_tokens"]);
    const reasoning =
      n(c["output_tokens_details.reasoning_tokens"]) || n(c["completion_tokens_details.reasoning_tokens"]);
    return tokens({
      input: (n(c.input_tokens) || n(c.prompt_tokens)) - cached,
      output: (n(c.output_tokens) || n(c.completion_tokens)) - reasoning,
      cacheRead: cached,
      cacheWrite: 0,
      reasoning,
    });
  },
  // The prompt count includes the cached tokens; thoughts and tool-use prompts are counted apart.
  gemini: (c) =>
    tokens({
      input: n(c.promptTokenCount) - n(c.cachedContentTokenCount) + n(c.toolUsePromptTokenCount),
      output: n(c.candidatesTokenCount),
      cacheRead: n(c.cachedContentTokenCount),
      cacheWrite: 0,
      reasoning: n(c.thoughtsTokenCount),
    }),
};

/** A provider's inconsistent counts never make a class negative. */
function tokens(usage: TokenUsage): TokenUsage {
  const clamp = (value: number) => Math.max(0, Math.round(value));
  return {
    input: clamp(usage.input),
    output: clamp(usage.output),
    cacheRead: clamp(usage.cacheRead),
    cacheWrite: clamp(usage.cacheWrite),
    reasoning: clamp(usage.reasoning),
  };
}

function n(value: number | undefined): number {
  return value ?? 0;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
