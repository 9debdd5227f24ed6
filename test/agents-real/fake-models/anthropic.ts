import { randomUUID } from "node:crypto";
import { stepAfter } from "./script.ts";
import {
  type Exchange,
  type FakeModelServer,
  json,
  type ReportedUsage,
  sse,
  startFakeServer,
} from "./server.ts";

/** What every answer of the scripted conversation reports; side requests (titles, checks) report less. */
export const ANTHROPIC_USAGE: ReportedUsage = { input: 120, output: 30, cacheRead: 40, cacheWrite: 10 };
export const ANTHROPIC_SIDE_USAGE: ReportedUsage = { input: 12, output: 3, cacheRead: 0, cacheWrite: 0 };

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };

interface MessagesRequest {
  model?: string;
  stream?: boolean;
  tools?: { name: string }[];
  messages?: { role: string; content: unknown }[];
}

/**
 * The Anthropic Messages API (`POST /v1/messages`), streamed as the real one streams: `message_start`
 * (input and cache tokens), `content_block_start/delta/stop` per block (text deltas, tool input as
 * JSON deltas), `message_delta` (stop reason, output tokens), `message_stop`.
 */
export function startFakeAnthropic(options: { tls?: boolean } = {}): Promise<FakeModelServer> {
  return startFakeServer((exchange) => {
    if (exchange.path === "/v1/messages/count_tokens") return json(exchange.res, 200, { input_tokens: 100 });
    if (exchange.path !== "/v1/messages") return json(exchange.res, 404, notFound(exchange.path));
    answer(exchange);
  }, options);
}

function answer({ res, body, report }: Exchange): void {
  const request = (body ?? {}) as MessagesRequest;
  // Claude Code's shell tool is `Bash`, opencode's `bash`. A step of the conversation starts it or
  // answers a tool call; a request with the same tools that does neither (a prompt suggestion) is
  // a side request.
  const shell = continues(request);
  const [blocks, usage] = shell
    ? scripted(request, shell.name)
    : [[{ type: "text", text: "Fixing the answer" } as Block], ANTHROPIC_SIDE_USAGE];
  report(usage, Boolean(shell));
  const stopReason = blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
  const message = {
    id: `msg_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
    type: "message",
    role: "assistant",
    model: request.model ?? "claude-sonnet-4-5",
    stop_sequence: null,
  };
  const usageOut = {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: usage.output,
  };
  if (!request.stream) {
    return json(res, 200, { ...message, content: blocks, stop_reason: stopReason, usage: usageOut });
  }
  const stream = sse(res);
  stream.send(
    {
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, usage: { ...usageOut, output_tokens: 1 } },
    },
    "message_start",
  );
  blocks.forEach((block, index) => {
    const start = block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} };
    stream.send({ type: "content_block_start", index, content_block: start }, "content_block_start");
    const delta =
      block.type === "text"
        ? { type: "text_delta", text: block.text }
        : { type: "input_json_delta", partial_json: JSON.stringify(block.input) };
    stream.send({ type: "content_block_delta", index, delta }, "content_block_delta");
    stream.send({ type: "content_block_stop", index }, "content_block_stop");
  });
  stream.send(
    {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output },
    },
    "message_delta",
  );
  stream.send({ type: "message_stop" }, "message_stop");
  stream.end();
}

/** Whether the request opens the conversation or carries tool results back. */
function continues(request: MessagesRequest): { name: string } | undefined {
  const messages = request.messages ?? [];
  const last = messages.at(-1)?.content;
  const results =
    Array.isArray(last) && last.some((block: { type?: string }) => block.type === "tool_result");
  const tool = request.tools?.find((candidate) => candidate.name.toLowerCase() === "bash");
  return messages.length === 1 || results ? tool : undefined;
}

function scripted(request: MessagesRequest, tool: string): [Block[], ReportedUsage] {
  const results = (request.messages ?? [])
    .filter((m) => m.role === "user" && Array.isArray(m.content))
    .flatMap((m) => m.content as { type?: string }[])
    .filter((block) => block.type === "tool_result").length;
  const step = stepAfter(results);
  if (step.kind === "answer") return [[{ type: "text", text: step.text }], ANTHROPIC_USAGE];
  const id = `toolu_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
  const input = { command: step.command, description: step.description };
  return [[{ type: "tool_use", id, name: tool, input }], ANTHROPIC_USAGE];
}

function notFound(path: string) {
  return { type: "error", error: { type: "not_found_error", message: `no ${path} here` } };
}
