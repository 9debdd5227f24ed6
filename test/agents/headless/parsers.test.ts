import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HEADLESS_FORMATS } from "../../../src/agents/headless/formats.ts";
import { StreamReader } from "../../../src/agents/headless/reader.ts";
import type { AgentUpdate } from "../../../src/agents/types.ts";
import { replay, shown } from "./replay.ts";

const execute = { toolKind: "execute" };

describe("agents/headless parsers", () => {
  test("claude: thinking, Bash calls and their results, the text, the denied push; 0.0018 USD", () => {
    const { updates, summary } = replay("claude");
    assert.deepEqual(shown(updates), [
      { kind: "other", type: "system" },
      { kind: "thought", text: "The brief says to publish the branch." },
      {
        kind: "tool-call",
        id: "toolu_01",
        title: "Bash: git push origin HEAD",
        status: "pending",
        ...execute,
      },
      { kind: "tool-call-update", id: "toolu_01", status: "failed" },
      {
        kind: "tool-call",
        id: "toolu_02",
        title: "Bash: echo hello > hello.txt",
        status: "pending",
        ...execute,
      },
      { kind: "tool-call-update", id: "toolu_02", status: "completed" },
      { kind: "message", text: "Pushing is not allowed here, so I only wrote hello.txt." },
      { kind: "permission", title: "Bash", command: "git push origin HEAD", decision: "reject" },
    ]);
    assert.deepEqual(summary, {
      stopReason: "end_turn",
      usage: { inputTokens: 300, outputTokens: 60, cachedTokens: 0, costAmount: 0.0018, costCurrency: "USD" },
    });
  });

  test("codex: reasoning, the declined push, the echo, the answer; tokens without cost", () => {
    const { updates, summary } = replay("codex");
    const push = "bash -lc 'git push origin HEAD'";
    const echo = "bash -lc 'echo hello > hello.txt'";
    assert.deepEqual(shown(updates), [
      { kind: "other", type: "thread.started" },
      { kind: "other", type: "turn.started" },
      { kind: "thought", text: "**Publishing the branch first**" },
      { kind: "tool-call", id: "item_1", title: push, status: "in_progress", ...execute },
      { kind: "tool-call-update", id: "item_1", status: "failed" },
      { kind: "tool-call", id: "item_2", title: echo, status: "in_progress", ...execute },
      { kind: "tool-call-update", id: "item_2", status: "completed" },
      { kind: "message", text: "Pushing is forbidden here; I only wrote hello.txt." },
    ]);
    // 600 input tokens of which 150 cached: gaffer counts the cached ones apart.
    assert.deepEqual(summary, {
      stopReason: "end_turn",
      usage: { inputTokens: 450, outputTokens: 90, cachedTokens: 150 },
    });
  });

  test("gemini: shell calls, the denied push, streamed text; tokens without cost", () => {
    const { updates, summary } = replay("gemini");
    const [push, echo] = ["run_shell_command-1763719200300-1", "run_shell_command-1763719200500-2"];
    assert.deepEqual(shown(updates), [
      { kind: "other", type: "init" },
      {
        kind: "tool-call",
        id: push,
        title: "run_shell_command: git push origin HEAD",
        status: "pending",
        ...execute,
      },
      { kind: "tool-call-update", id: push, status: "failed" },
      {
        kind: "tool-call",
        id: echo,
        title: "run_shell_command: echo hello > hello.txt",
        status: "pending",
        ...execute,
      },
      { kind: "tool-call-update", id: echo, status: "completed" },
      { kind: "message", text: "Pushing is denied by policy; " },
      { kind: "message", text: "I only wrote hello.txt." },
    ]);
    assert.deepEqual(summary, {
      stopReason: "end_turn",
      usage: { inputTokens: 600, outputTokens: 140, cachedTokens: 400 },
    });
  });

  test("opencode: finished tools, the text; three steps' cost and tokens add up", () => {
    const { updates, summary } = replay("opencode");
    assert.deepEqual(shown(updates), [
      { kind: "other", type: "step_start" },
      { kind: "tool-call", id: "call_01", title: "bash: git push origin HEAD", status: "failed", ...execute },
      { kind: "other", type: "step_start" },
      {
        kind: "tool-call",
        id: "call_02",
        title: "bash: echo hello > hello.txt",
        status: "completed",
        ...execute,
      },
      { kind: "other", type: "step_start" },
      { kind: "message", text: "Pushing is denied here; I only wrote hello.txt." },
    ]);
    // Reasoning tokens (5) count as output.
    assert.deepEqual(summary, {
      stopReason: "end_turn",
      usage: {
        inputTokens: 150,
        outputTokens: 65,
        cachedTokens: 220,
        costAmount: 0.00069,
        costCurrency: "USD",
      },
    });
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
