import assert from "node:assert/strict";
import { test } from "node:test";
import { recognizeLimit } from "../../src/sandbox/model-proxy/limits.ts";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const json = (value: unknown) => JSON.stringify(value);

test("a success or an error that is no limit is no limit", () => {
  assert.equal(recognizeLimit(200, {}, "", NOW), undefined);
  assert.equal(
    recognizeLimit(
      400,
      {},
      json({ type: "error", error: { type: "invalid_request_error", message: "bad" } }),
      NOW,
    ),
    undefined,
  );
});

test("Claude subscription: the unified status rejected, with its reset in epoch seconds", () => {
  const reset = NOW / 1000 + 3 * 3600;
  const limit = recognizeLimit(
    429,
    { "anthropic-ratelimit-unified-status": "rejected", "anthropic-ratelimit-unified-reset": String(reset) },
    json({
      type: "error",
      error: { type: "rate_limit_error", message: "This request would exceed your usage limit" },
    }),
    NOW,
  );
  assert.deepEqual(limit, {
    kind: "plan",
    resetsAt: reset * 1000,
    message: "This request would exceed your usage limit",
  });
});

test("Anthropic API key: a short rate limit (retry-after) is a rate limit; 529 is overload", () => {
  const body = json({
    type: "error",
    error: { type: "rate_limit_error", message: "Number of requests exceeded" },
  });
  assert.deepEqual(recognizeLimit(429, { "retry-after": "20" }, body, NOW), {
    kind: "rate",
    resetsAt: NOW + 20_000,
    message: "Number of requests exceeded",
  });
  const overloaded = json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  assert.deepEqual(recognizeLimit(529, {}, overloaded, NOW), { kind: "overloaded", message: "Overloaded" });
});

test("a rate limit that resets far away is a plan limit", () => {
  const limit = recognizeLimit(429, { "retry-after": "3600" }, "", NOW);
  assert.equal(limit?.kind, "plan");
  assert.equal(limit?.resetsAt, NOW + 3_600_000);
});

test("Anthropic: an exhausted credit balance is a plan limit without a reset", () => {
  const body = json({
    type: "error",
    error: {
      type: "invalid_request_error",
      message: "Your credit balance is too low to access the Anthropic API.",
    },
  });
  assert.deepEqual(recognizeLimit(400, {}, body, NOW), {
    kind: "plan",
    message: "Your credit balance is too low to access the Anthropic API.",
  });
});

test("ChatGPT (Codex): usage_limit_reached with resets_at or resets_in_seconds", () => {
  const at = NOW / 1000 + 7200;
  const body = json({
    error: {
      type: "usage_limit_reached",
      message: "The usage limit has been reached",
      plan_type: "plus",
      resets_at: at,
    },
  });
  assert.deepEqual(recognizeLimit(429, {}, body, NOW), {
    kind: "plan",
    resetsAt: at * 1000,
    message: "The usage limit has been reached",
  });
  const inSeconds = json({
    error: { type: "usage_limit_reached", message: "limit", resets_in_seconds: 600 },
  });
  assert.equal(recognizeLimit(429, {}, inSeconds, NOW)?.resetsAt, NOW + 600_000);
});

test("OpenAI API: insufficient_quota is a plan limit; a per-minute rate limit with x-ratelimit-reset is not", () => {
  const quota = json({
    error: {
      message: "You exceeded your current quota, please check your plan and billing details.",
      type: "insufficient_quota",
      code: "insufficient_quota",
    },
  });
  assert.equal(recognizeLimit(429, {}, quota, NOW)?.kind, "plan");
  const rate = json({
    error: {
      message: "Rate limit reached for gpt-5 on requests per min (RPM)",
      type: "requests",
      code: "rate_limit_exceeded",
    },
  });
  assert.deepEqual(recognizeLimit(429, { "x-ratelimit-reset-requests": "1m30s" }, rate, NOW), {
    kind: "rate",
    resetsAt: NOW + 90_000,
    message: "Rate limit reached for gpt-5 on requests per min (RPM)",
  });
});

test("Gemini: RESOURCE_EXHAUSTED per day is a plan limit, per minute a rate limit; RetryInfo gives the reset", () => {
  const exhausted = (quotaId: string, retryDelay: string) =>
    json({
      error: {
        code: 429,
        message: "You exceeded your current quota, please check your plan and billing details.",
        status: "RESOURCE_EXHAUSTED",
        details: [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId }] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
        ],
      },
    });
  const daily = recognizeLimit(
    429,
    {},
    exhausted("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "43s"),
    NOW,
  );
  assert.equal(daily?.kind, "plan");
  assert.equal(daily?.resetsAt, NOW + 43_000);
  const minute = recognizeLimit(
    429,
    {},
    exhausted("GenerateRequestsPerMinutePerProjectPerModel", "12s"),
    NOW,
  );
  assert.equal(minute?.kind, "rate");
  // Streaming without SSE answers an array.
  const wrapped = `[${exhausted("GenerateRequestsPerDayPerProjectPerModel", "1h0m0s")}]`;
  assert.deepEqual(recognizeLimit(429, {}, wrapped, NOW)?.resetsAt, NOW + 3_600_000);
});

test("a body that is not JSON is shown in part; a 429 without words or times is a rate limit", () => {
  assert.deepEqual(recognizeLimit(429, {}, "Too Many Requests", NOW), {
    kind: "rate",
    message: "Too Many Requests",
  });
  assert.deepEqual(recognizeLimit(429, {}, "", NOW), { kind: "rate", message: "HTTP 429" });
});
