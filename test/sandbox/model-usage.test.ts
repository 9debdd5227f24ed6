import assert from "node:assert/strict";
import { test } from "node:test";
import { SseReader, SseSieve } from "../../src/sandbox/model-proxy/sse.ts";
import { usageReader } from "../../src/sandbox/model-proxy/usage.ts";
import type { ModelApi } from "../../src/sandbox/index.ts";

/** Feeds an SSE body to a usage reader cut into pieces of `size` characters. */
function readStream(api: ModelApi, body: string, size = 7) {
  const reader = usageReader(api);
  const events = new SseReader((data) => data !== "[DONE]" && reader.add(JSON.parse(data)));
  for (let at = 0; at < body.length; at += size) events.push(body.slice(at, at + size));
  events.end();
  return reader.result();
}

const sse = (...objects: unknown[]) => objects.map((o) => `data: ${JSON.stringify(o)}\r\n\r\n`).join("");

test("SSE: events cut anywhere, CRLF or LF, several data lines joined, comments and other fields ignored", () => {
  const seen: string[] = [];
  const reader = new SseReader((data) => seen.push(data));
  const body = ': ping\n\nevent: a\ndata: {"x":\ndata: 1}\n\ndata:2\r\n\r\nid: 3\ndata: last';
  for (const char of body) reader.push(char);
  reader.end();
  assert.deepEqual(seen, ['{"x":\n1}', "2", "last"]);
});

test("SSE: an overlong line is dropped, the stream goes on", () => {
  const seen: string[] = [];
  const reader = new SseReader((data) => seen.push(data), 10);
  reader.push(`data: ${"x".repeat(50)}`);
  reader.push(`${"y".repeat(50)}\n\ndata: ok\n\n`);
  assert.deepEqual(seen, ["ok"]);
});

/** Every event's data the sieve passes on, the body cut into pieces of `size` bytes. */
function sieved(body: string, size: number, maxEvent?: number): string[] {
  const seen: string[] = [];
  const sieve = new SseSieve("usage", (data) => seen.push(data), maxEvent);
  const bytes = Buffer.from(body);
  for (let at = 0; at < bytes.length; at += size) sieve.push(bytes.subarray(at, at + size));
  sieve.end();
  return seen;
}

test("SSE sieve: only the events that name usage come out, whole, however the bytes are cut", () => {
  const body =
    'data: {"a":"skip"}\r\n\r\nevent: x\ndata: {"usage":1}\n\n: ping\n\ndata: {"t":"é"}\n\n' +
    'data: {"x":0}\r\ndata: {"usage":2}\r\n\r\ndata: {"b":3}\n\ndata: {"usage":"last, unclosed"}';
  const expected = ['{"usage":1}', '{"x":0}\n{"usage":2}', '{"usage":"last, unclosed"}'];
  for (const size of [1, 2, 3, 5, 7, 16, 1000])
    assert.deepEqual(sieved(body, size), expected, `cut every ${size}`);
});

test("SSE sieve: an event held past its limit is dropped whole, the stream goes on", () => {
  const body = `data: {"usage":"${"x".repeat(100)}"}\n\ndata: {"usage":2}\n\ndata: {"usage":"${"y".repeat(100)}"}\r\n\r\n`;
  for (const size of [1, 3, 50])
    assert.deepEqual(sieved(body, size, 60), ['{"usage":2}'], `cut every ${size}`);
});

test("Anthropic Messages stream: input and cache counts from message_start, output from the last message_delta", () => {
  const body = sse(
    {
      type: "message_start",
      message: {
        model: "claude-sonnet-4-5-20250929",
        usage: {
          input_tokens: 120,
          cache_creation_input_tokens: 10,
          cache_read_input_tokens: 40,
          output_tokens: 1,
          cache_creation: { ephemeral_5m_input_tokens: 10 },
        },
      },
    },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } },
    { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 15 } },
    { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 30 } },
    { type: "message_stop" },
  );
  assert.deepEqual(readStream("anthropic", body), {
    model: "claude-sonnet-4-5-20250929",
    usage: { input: 120, output: 30, cacheRead: 40, cacheWrite: 10, reasoning: 0 },
  });
});

test("Anthropic Messages, whole answer", () => {
  const reader = usageReader("anthropic");
  reader.add({
    type: "message",
    model: "claude-haiku-4-5",
    usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  });
  assert.deepEqual(reader.result(), {
    model: "claude-haiku-4-5",
    usage: { input: 12, output: 3, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  });
});

test("OpenAI Responses stream: usage of response.completed, cached and reasoning tokens told apart", () => {
  const body = sse(
    { type: "response.created", response: { model: "gpt-5.5", usage: null } },
    { type: "response.output_text.delta", delta: "hello" },
    {
      type: "response.completed",
      response: {
        model: "gpt-5.5",
        usage: {
          input_tokens: 200,
          input_tokens_details: { cached_tokens: 80 },
          output_tokens: 40,
          output_tokens_details: { reasoning_tokens: 15 },
          total_tokens: 240,
        },
      },
    },
  );
  assert.deepEqual(readStream("openai", body), {
    model: "gpt-5.5",
    usage: { input: 120, output: 25, cacheRead: 80, cacheWrite: 0, reasoning: 15 },
  });
});

test("Chat Completions stream (OpenAI-compatible servers): usage in the last chunk, [DONE] ignored", () => {
  const body =
    sse(
      {
        object: "chat.completion.chunk",
        model: "qwen3",
        choices: [{ delta: { content: "a" } }],
        usage: null,
      },
      {
        object: "chat.completion.chunk",
        model: "qwen3",
        choices: [],
        usage: {
          prompt_tokens: 50,
          completion_tokens: 20,
          prompt_tokens_details: { cached_tokens: 10 },
          completion_tokens_details: { reasoning_tokens: 5 },
        },
      },
    ) + "data: [DONE]\n\n";
  assert.deepEqual(readStream("openai", body), {
    model: "qwen3",
    usage: { input: 40, output: 15, cacheRead: 10, cacheWrite: 0, reasoning: 5 },
  });
});

test("Gemini streamGenerateContent: cumulative usageMetadata, cached inside the prompt count, thoughts apart", () => {
  const chunk = (usage: object) => ({
    candidates: [{ content: { parts: [{ text: "x" }] } }],
    usageMetadata: usage,
    modelVersion: "gemini-2.5-flash",
  });
  const body = sse(
    chunk({ promptTokenCount: 300, candidatesTokenCount: 10 }),
    chunk({
      promptTokenCount: 300,
      cachedContentTokenCount: 100,
      candidatesTokenCount: 50,
      thoughtsTokenCount: 25,
      toolUsePromptTokenCount: 7,
      totalTokenCount: 382,
    }),
  );
  assert.deepEqual(readStream("gemini", body), {
    model: "gemini-2.5-flash",
    usage: { input: 207, output: 50, cacheRead: 100, cacheWrite: 0, reasoning: 25 },
  });
});

test("Gemini: an array answer (streaming without SSE) and Code Assist's wrapped responses", () => {
  const reader = usageReader("gemini");
  reader.add([
    { response: { usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 1 } } },
    { response: { usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4 }, modelVersion: "m" } },
  ]);
  assert.deepEqual(reader.result(), {
    model: "m",
    usage: { input: 10, output: 4, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  });
});

test("no counts: no usage; nonsense counts never go negative", () => {
  assert.deepEqual(usageReader("anthropic").result(), {});
  const reader = usageReader("openai");
  reader.add({ usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 9 }, output_tokens: -3 } });
  assert.deepEqual(reader.result().usage, { input: 0, output: 0, cacheRead: 9, cacheWrite: 0, reasoning: 0 });
});
