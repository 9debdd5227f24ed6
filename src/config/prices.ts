/** USD per million tokens. Reasoning tokens are priced as output. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Input read from a cache; the input price when absent. */
  cachedInput?: number;
  /** Input written to a cache; the input price when absent. */
  cacheWrite?: number;
}

/**
 * List prices of current models (standard tier, prompts under 200k tokens), as published by each
 * provider in late 2025. A dated snapshot (`claude-sonnet-4-5-20250929`, `gpt-4.1-2025-04-14`)
 * is priced as its model. `[prices]` in gaffer.toml adds models and replaces these; a model in
 * neither is unpriced, and `gaffer cost` says so.
 */
export const SHIPPED_PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-opus-4-5": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-1": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
  "claude-opus-4": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
  "claude-sonnet-4-5": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  "claude-sonnet-4": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  "claude-haiku-4-5": { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cachedInput: 0.08, cacheWrite: 1 },
  "gpt-5.1": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gpt-5.1-codex": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gpt-5": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gpt-5-codex": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cachedInput: 0.025 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cachedInput: 0.005 },
  "gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cachedInput: 0.1 },
  "gpt-4o": { input: 2.5, output: 10, cachedInput: 1.25 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  "o4-mini": { input: 1.1, output: 4.4, cachedInput: 0.275 },
  "gemini-2.5-pro": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.03 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4, cachedInput: 0.01 },
};

/** The price of `model`, or of the model a dated snapshot or a `models/` path names. */
export function priceOf(prices: Readonly<Record<string, ModelPrice>>, model: string): ModelPrice | undefined {
  const bare = model.replace(/^models\//, "");
  const undated = bare.replace(/-(\d{8}|\d{4}-\d{2}-\d{2})$/, "");
  return prices[model] ?? prices[bare] ?? prices[undated];
}
