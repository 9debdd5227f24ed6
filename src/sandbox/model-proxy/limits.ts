import type { IncomingHttpHeaders } from "node:http";
import type { ModelLimit } from "../types.ts";

/** A rate limit that resets further away than this is treated as a plan limit: waiting it out in a run is waste. */
export const PLAN_LIMIT_AFTER_MS = 5 * 60_000;

/** How much of an error answer is kept to recognise a limit in it. */
export const LIMIT_BODY_BYTES = 64 * 1024;

/** A plan's words (Claude's and ChatGPT's usage limits, OpenAI's and Anthropic's exhausted quota or credit). */
const PLAN_WORDS =
  /usage limit|usage_limit_reached|insufficient_quota|exceeded your current quota|credit balance is too low/i;

/**
 * Recognises a limit in a model answer: HTTP 429 and 529 (and a plan's "usage limit reached"
 * or an exhausted credit in any error), with when it resets, from the headers and bodies of
 * Anthropic (the subscription's `anthropic-ratelimit-unified-*` headers; `retry-after`), OpenAI
 * and ChatGPT (`usage_limit_reached` with `resets_at` or `resets_in_seconds`;
 * `x-ratelimit-reset-*`) and Gemini (`RESOURCE_EXHAUSTED`, a per-day quota, `RetryInfo`).
 */
export function recognizeLimit(
  status: number,
  headers: IncomingHttpHeaders,
  body: string,
  now: number,
): ModelLimit | undefined {
  if (status < 400) return undefined;
  const error = errorOf(body);
  const message = (error.message ?? body.slice(0, 300)).trim();
  const unified = header(headers, "anthropic-ratelimit-unified-status");
  const resetsAt = resetTime(headers, error, now);
  const planWords = PLAN_WORDS.test(`${error.type ?? ""} ${error.code ?? ""} ${message}`);
  const far = resetsAt !== undefined && resetsAt - now >= PLAN_LIMIT_AFTER_MS;
  const limit = (kind: ModelLimit["kind"]): ModelLimit => ({
    kind,
    ...(resetsAt !== undefined && { resetsAt }),
    message: message || `HTTP ${status}`,
  });
  if (unified === "rejected") return limit("plan");
  if (status === 429) {
    // Gemini says "exceeded your current quota" for a per-minute quota too: its quota's name tells.
    const plan = error.type === "RESOURCE_EXHAUSTED" ? /PerDay|per day/i.test(body) : planWords;
    return limit(plan || far ? "plan" : "rate");
  }
  if (status === 529 || /overloaded/i.test(error.type ?? "")) return limit("overloaded");
  return planWords ? limit("plan") : undefined;
}

interface ErrorBody {
  type?: string;
  code?: string;
  message?: string;
  resetsAt?: number;
  resetsInSeconds?: number;
  retryDelay?: string;
}

/** The error object of Anthropic (`error.type`), OpenAI and ChatGPT (`error.type`/`code`), Gemini (`error.status`, details). */
function errorOf(body: string): ErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  // Gemini's REST answers an array of one response when the request streamed without SSE.
  const root = Array.isArray(parsed) ? parsed[0] : parsed;
  const error = isObject(root) && isObject(root.error) ? root.error : undefined;
  if (!error) return {};
  const details = Array.isArray(error.details) ? error.details.filter(isObject) : [];
  const retry = details.find((d) => String(d["@type"] ?? "").endsWith("RetryInfo"));
  return {
    ...stringField("type", error.type ?? error.status),
    ...stringField("code", error.code),
    ...stringField("message", error.message),
    ...numberField("resetsAt", error.resets_at),
    ...numberField("resetsInSeconds", error.resets_in_seconds),
    ...stringField("retryDelay", retry?.retryDelay),
  };
}

/** The latest time any header or body field gives: the limit lasts until each has passed. */
function resetTime(headers: IncomingHttpHeaders, error: ErrorBody, now: number): number | undefined {
  const candidates = [
    epochSeconds(header(headers, "anthropic-ratelimit-unified-reset")),
    error.resetsAt === undefined ? undefined : error.resetsAt * 1000,
    error.resetsInSeconds === undefined ? undefined : now + error.resetsInSeconds * 1000,
    after(now, duration(error.retryDelay)),
    after(now, retryAfter(header(headers, "retry-after"), now)),
    dateHeader(header(headers, "anthropic-ratelimit-requests-reset")),
    dateHeader(header(headers, "anthropic-ratelimit-tokens-reset")),
    after(now, duration(header(headers, "x-ratelimit-reset-requests"))),
    after(now, duration(header(headers, "x-ratelimit-reset-tokens"))),
  ].filter((at): at is number => at !== undefined && Number.isFinite(at) && at > now);
  return candidates.length > 0 ? Math.max(...candidates) : undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function epochSeconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : undefined;
}

function dateHeader(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

/** `Retry-After`: seconds, or an HTTP date. */
function retryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = dateHeader(value);
  return at === undefined ? undefined : at - now;
}

/** `"43s"`, `"1.5s"`, `"6m0s"`, `"1h2m3s"`, `"20ms"` → milliseconds. */
function duration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value.trim()) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((sum, [, amount, u]) => sum + Number(amount) * (unit[u ?? "s"] ?? 0), 0);
}

function after(now: number, ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : now + ms;
}

function stringField<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === "string" ? ({ [key]: value } as Record<K, string>) : {};
}

function numberField<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === "number" && Number.isFinite(value) ? ({ [key]: value } as Record<K, number>) : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
