import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HEADLESS_FORMATS } from "../../../src/agents/headless/formats.ts";
import { StreamReader } from "../../../src/agents/headless/reader.ts";
import type { AgentUpdate } from "../../../src/agents/types.ts";
import { attemptCost } from "../../../src/engine/usage.ts";
import { numbered, recordedUsage, replay, reportedTotals, shown } from "./replay.ts";

const execute = { toolKind: "execute" };
const FIX = "echo 'export const answer = () => 42;' > answer.js";
const ANSWER = "Pushing is not allowed here, so I left the branch alone; answer.js now returns 42.";

/**
 * USD per million tokens. Claude's are Anthropic's list prices for the model the transcripts were
 * recorded with (Claude Code priced the turn itself); the others are a `[prices]` table as a user
 * would write it, for CLIs that report tokens but no money.
 */
const SONNET = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
const PRICES = {
  "gpt-5.5": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.075 },
};

/** Anthropic's bill for what the fake server reported: cache writes and reads at their own prices. */
function anthropicCost(total: {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}): number {
  const perMillion =
    total.input * SONNET.input +
    total.output * SONNET.output +
    total.cacheWrite * SONNET.cacheWrite +
    total.cacheRead * SONNET.cacheRead;
  return perMillion / 1_000_000;
}

/** Equal to a billionth of a cent: the CLIs add floating-point costs up in their own order. */
function assertUsd(actual: number | null | undefined, expected: number): void {
  assert.ok(actual !== null && actual !== undefined, "a cost");
  assert.ok(Math.abs(actual - expected) < 1e-11, `${actual} ≠ ${expected}`);
}

const conversation = (request: { conversation: boolean }) => request.conversation;

describe("agents/headless parsers, on transcripts recorded from the real CLIs", () => {
  test("claude: the denied push, the fix, the answer; tokens as the server reported them, its USD cost exact", () => {
    const { updates, summary } = replay("claude");
    assert.deepEqual(numbered(shown(updates)), [
      { kind: "other", type: "system" },
      { kind: "tool-call", id: "call-1", title: "Bash: git push origin HEAD", status: "pending", ...execute },
      { kind: "other", type: "system" },
      { kind: "tool-call-update", id: "call-1", status: "failed" },
      { kind: "tool-call", id: "call-2", title: `Bash: ${FIX}`, status: "pending", ...execute },
      { kind: "tool-call-update", id: "call-2", status: "completed" },
      { kind: "message", text: ANSWER },
      { kind: "permission", title: "Bash", command: "git push origin HEAD", decision: "reject" },
    ]);
    const reported = reportedTotals(recordedUsage("claude"));
    assert.equal(summary.stopReason, "end_turn");
    // Cache writes count as input, cache reads as cached.
    assert.deepEqual(
      { ...summary.usage, costAmount: undefined },
      {
        inputTokens: reported.input + reported.cacheWrite,
        outputTokens: reported.output,
        cachedTokens: reported.cacheRead,
        costAmount: undefined,
        costCurrency: "USD",
      },
    );
    assertUsd(summary.usage?.costAmount, anthropicCost(reported));
    assert.equal(attemptCost(summary.usage ?? {}, "claude-sonnet-4-5", {}).source, "reported");
  });

  test("codex: the fix and the answer (a push its rules refuse never shows); tokens exact, priced from [prices]", () => {
    const { updates, summary } = replay("codex");
    assert.deepEqual(numbered(shown(updates)), [
      { kind: "other", type: "thread.started" },
      { kind: "other", type: "turn.started" },
      { kind: "tool-call", id: "call-1", title: `/bin/bash -lc "${FIX}"`, status: "in_progress", ...execute },
      { kind: "tool-call-update", id: "call-1", status: "completed" },
      { kind: "message", text: ANSWER },
    ]);
    const recorded = recordedUsage("codex");
    const reported = reportedTotals(recorded);
    // OpenAI counts cached tokens inside input_tokens; gaffer counts them apart.
    const usage = {
      inputTokens: reported.input - reported.cacheRead,
      outputTokens: reported.output,
      cachedTokens: reported.cacheRead,
    };
    assert.deepEqual(summary, { stopReason: "end_turn", usage });
    const price = PRICES["gpt-5.5"];
    assert.deepEqual(attemptCost(usage, recorded.model, PRICES).source, "priced");
    assertUsd(
      attemptCost(usage, recorded.model, PRICES).costUsd,
      ((reported.input - reported.cacheRead) * price.input +
        reported.cacheRead * price.cachedInput +
        reported.output * price.output) /
        1_000_000,
    );
  });

  test("gemini: the push its policy denied, the fix, the answer; tokens exact, priced from [prices]", () => {
    const { updates, summary } = replay("gemini");
    assert.deepEqual(numbered(shown(updates)), [
      { kind: "other", type: "init" },
      {
        kind: "tool-call",
        id: "call-1",
        title: "run_shell_command: git push origin HEAD",
        status: "pending",
        ...execute,
      },
      { kind: "tool-call-update", id: "call-1", status: "failed" },
      { kind: "tool-call", id: "call-2", title: `run_shell_command: ${FIX}`, status: "pending", ...execute },
      { kind: "tool-call-update", id: "call-2", status: "completed" },
      { kind: "message", text: ANSWER },
    ]);
    const recorded = recordedUsage("gemini");
    const reported = reportedTotals(recorded);
    // Gemini's promptTokenCount includes the cached tokens; gaffer counts them apart.
    const usage = {
      inputTokens: reported.input - reported.cacheRead,
      outputTokens: reported.output,
      cachedTokens: reported.cacheRead,
    };
    assert.deepEqual(summary, { stopReason: "end_turn", usage });
    const price = PRICES["gemini-2.5-flash"];
    assertUsd(
      attemptCost(usage, recorded.model, PRICES).costUsd,
      ((reported.input - reported.cacheRead) * price.input +
        reported.cacheRead * price.cachedInput +
        reported.output * price.output) /
        1_000_000,
    );
  });

  test("opencode: finished tools, the text; its steps add up to the conversation's tokens and cost", () => {
    const { updates, summary } = replay("opencode");
    assert.deepEqual(numbered(shown(updates)), [
      { kind: "other", type: "step_start" },
      { kind: "tool-call", id: "call-1", title: "bash: git push origin HEAD", status: "failed", ...execute },
      { kind: "other", type: "step_start" },
      { kind: "tool-call", id: "call-2", title: `bash: ${FIX}`, status: "completed", ...execute },
      { kind: "other", type: "step_start" },
      { kind: "message", text: ANSWER },
    ]);
    const recorded = recordedUsage("opencode");
    // opencode's steps cover the conversation; its session title is a side request it does not count.
    assert.ok(
      recorded.requests.some((request) => !request.conversation),
      "a side request was recorded",
    );
    const reported = reportedTotals(recorded, conversation);
    assert.equal(summary.stopReason, "end_turn");
    assert.deepEqual(
      { ...summary.usage, costAmount: undefined },
      {
        inputTokens: reported.input + reported.cacheWrite,
        outputTokens: reported.output,
        cachedTokens: reported.cacheRead,
        costAmount: undefined,
        costCurrency: "USD",
      },
    );
    assertUsd(summary.usage?.costAmount, anthropicCost(reported));
  });

  test("how turns end: claude's max turns, codex's failed turn, gemini's error result, opencode's error", () => {
    const end = (format: keyof typeof HEADLESS_FORMATS, event: Record<string, unknown>) => {
      const { stopReason, error } = HEADLESS_FORMATS[format].parser.summarize({}, event);
      return { stopReason, error };
    };
    assert.deepEqual(end("claude", { type: "result", subtype: "error_max_turns", is_error: true }), {
      stopReason: "max_turn_requests",
      error: undefined,
    });
    assert.deepEqual(end("codex", { type: "turn.failed", error: { message: "quota exceeded" } }), {
      stopReason: "error",
      error: "quota exceeded",
    });
    assert.deepEqual(end("gemini", { type: "result", status: "error", error: { message: "no auth" } }), {
      stopReason: "error",
      error: "no auth",
    });
    assert.deepEqual(
      end("opencode", { type: "error", error: { name: "APIError", data: { message: "bad key" } } }),
      {
        stopReason: "error",
        error: "bad key",
      },
    );
  });

  test("malformed lines come out as output, odd shapes as nothing or other; nothing throws", () => {
    for (const format of Object.keys(HEADLESS_FORMATS) as (keyof typeof HEADLESS_FORMATS)[]) {
      const updates: AgentUpdate[] = [];
      const reader = new StreamReader(HEADLESS_FORMATS[format].parser, (u) => updates.push(u), undefined);
      for (const line of [
        "not json {",
        "[1,2]",
        '"text"',
        "",
        '{"type":"assistant","message":5}',
        '{"part":null}',
      ])
        reader.stdoutLine(line);
      reader.stdoutLine('{"type":"item.completed","item":{"type":"todo_list","items":[null,{"text":"a"}]}}');
      assert.deepEqual(
        updates.slice(0, 3),
        ["not json {", "[1,2]", '"text"'].map((text) => ({ kind: "output", text })),
        format,
      );
      assert.ok(
        updates.slice(3).every((u) => u.kind !== "output" && u.kind !== "usage"),
        format,
      );
    }
  });
});
