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

/** What every answer reports: `input` counts the cached tokens too, as OpenAI's usage does. */
export const OPENAI_USAGE: ReportedUsage = { input: 200, output: 40, cacheRead: 80, cacheWrite: 0 };
export const OPENAI_SIDE_USAGE: ReportedUsage = { input: 20, output: 4, cacheRead: 0, cacheWrite: 0 };

interface Tool {
  type: string;
  name?: string;
}

interface ResponsesRequest {
  model?: string;
  tools?: Tool[];
  input?: { type?: string }[];
}

type Item = Record<string, unknown>;

/** Shell tools Codex may offer, and how each takes a command. */
const SHELL_TOOLS: Record<string, (command: string, workdir?: string) => Record<string, unknown>> = {
  shell_command: (command) => ({ command }),
  exec_command: (command) => ({ cmd: command }),
  shell: (command) => ({ command: ["bash", "-lc", command] }),
};

/**
 * The OpenAI Responses API (`POST /v1/responses`, `stream: true`) as Codex reads it:
 * `response.created`, then per output item `response.output_item.added` (text deltas for a message)
 * and `response.output_item.done`, then `response.completed` carrying the usage.
 */
export function startFakeOpenAi(options: { tls?: boolean } = {}): Promise<FakeModelServer> {
  return startFakeServer((exchange) => {
    if (exchange.path.endsWith("/models"))
      return json(exchange.res, 200, { object: "list", data: [], models: [] });
    // A WebSocket upgrade (Codex tries one first) is refused: Codex falls back to HTTP streaming.
    if (exchange.req.method !== "POST" || !exchange.path.endsWith("/responses"))
      return json(exchange.res, 404, { error: { message: `no ${exchange.path}` } });
    answer(exchange);
  }, options);
}

function answer({ res, body, report }: Exchange): void {
  const request = (body ?? {}) as ResponsesRequest;
  const shell = request.tools?.find((tool) => tool.name !== undefined && tool.name in SHELL_TOOLS);
  const [items, usage] = shell?.name
    ? scripted(request, shell.name)
    : [[message("Fixing the answer")], OPENAI_SIDE_USAGE];
  report(usage, Boolean(shell));
  const id = `resp_${randomUUID().replaceAll("-", "")}`;
  const base = {
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    model: request.model ?? "gpt-5",
  };
  const stream = sse(res);
  let sequence = 0;
  const send = (type: string, data: Record<string, unknown>) =>
    stream.send({ type, sequence_number: sequence++, ...data }, type);
  send("response.created", { response: { ...base, status: "in_progress", output: [] } });
  items.forEach((item, index) => {
    send("response.output_item.added", { output_index: index, item: inProgress(item) });
    if (item.type === "message") {
      const text = ((item.content as { text: string }[])[0] as { text: string }).text;
      send("response.content_part.added", {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [] },
      });
      send("response.output_text.delta", {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        delta: text,
      });
      send("response.output_text.done", { item_id: item.id, output_index: index, content_index: 0, text });
      send("response.content_part.done", {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part: { type: "output_text", text, annotations: [] },
      });
    }
    send("response.output_item.done", { output_index: index, item });
  });
  send("response.completed", {
    response: {
      ...base,
      status: "completed",
      output: items,
      usage: {
        input_tokens: usage.input,
        input_tokens_details: { cached_tokens: usage.cacheRead },
        output_tokens: usage.output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.input + usage.output,
      },
    },
  });
  stream.end();
}

function scripted(request: ResponsesRequest, tool: string): [Item[], ReportedUsage] {
  const results = (request.input ?? []).filter((item) => item.type === "function_call_output").length;
  const step = stepAfter(results);
  if (step.kind === "answer") return [[message(step.text)], OPENAI_USAGE];
  const args = (SHELL_TOOLS[tool] as (command: string) => Record<string, unknown>)(step.command);
  const call = {
    type: "function_call",
    id: `fc_${randomUUID().replaceAll("-", "")}`,
    call_id: `call_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
    name: tool,
    arguments: JSON.stringify(args),
    status: "completed",
  };
  return [[call], OPENAI_USAGE];
}

function message(text: string): Item {
  return {
    type: "message",
    id: `msg_${randomUUID().replaceAll("-", "")}`,
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

function inProgress(item: Item): Item {
  if (item.type === "message") return { ...item, status: "in_progress", content: [] };
  return { ...item, status: "in_progress", arguments: "" };
}
