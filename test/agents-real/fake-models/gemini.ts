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

/** What every answer reports: `input` (promptTokenCount) counts the cached tokens too. */
export const GEMINI_USAGE: ReportedUsage = { input: 300, output: 50, cacheRead: 100, cacheWrite: 0 };
export const GEMINI_SIDE_USAGE: ReportedUsage = { input: 30, output: 5, cacheRead: 0, cacheWrite: 0 };

type Part = { text: string } | { functionCall: { id?: string; name: string; args: Record<string, unknown> } };

interface GenerateRequest {
  contents?: { role?: string; parts?: Record<string, unknown>[] }[];
  tools?: { functionDeclarations?: { name: string }[] }[];
  generationConfig?: { responseMimeType?: string; responseJsonSchema?: unknown; responseSchema?: unknown };
}

/**
 * The Gemini API (`POST /v1beta/models/<model>:streamGenerateContent?alt=sse`, or
 * `:generateContent`): each SSE `data:` line is a GenerateContentResponse with candidates whose
 * parts are text or a functionCall, and usageMetadata on the last chunk.
 */
export function startFakeGemini(options: { tls?: boolean } = {}): Promise<FakeModelServer> {
  return startFakeServer((exchange) => {
    const match = /\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/.exec(
      exchange.path,
    );
    if (!match)
      return json(exchange.res, 404, {
        error: { code: 404, message: `no ${exchange.path}`, status: "NOT_FOUND" },
      });
    const [, model = "", method] = match;
    if (method === "countTokens") return json(exchange.res, 200, { totalTokens: 100 });
    answer(exchange, model, method === "streamGenerateContent");
  }, options);
}

function answer({ res, body, report }: Exchange, model: string, stream: boolean): void {
  const request = (body ?? {}) as GenerateRequest;
  const shell = request.tools?.some((tool) =>
    tool.functionDeclarations?.some((f) => f.name === "run_shell_command"),
  );
  const [parts, usage] = shell ? scripted(request) : [[sideAnswer(request)], GEMINI_SIDE_USAGE];
  report(usage, Boolean(shell));
  const response = {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: {
      promptTokenCount: usage.input,
      candidatesTokenCount: usage.output,
      totalTokenCount: usage.input + usage.output,
      cachedContentTokenCount: usage.cacheRead,
    },
    modelVersion: model,
    responseId: randomUUID().replaceAll("-", "").slice(0, 22),
  };
  if (!stream) return json(res, 200, response);
  const events = sse(res);
  events.send(response);
  events.end();
}

function scripted(request: GenerateRequest): [Part[], ReportedUsage] {
  const results = (request.contents ?? [])
    .flatMap((content) => content.parts ?? [])
    .filter((part) => "functionResponse" in part).length;
  const step = stepAfter(results);
  if (step.kind === "answer") return [[{ text: step.text }], GEMINI_USAGE];
  const args = { command: step.command, description: step.description };
  return [[{ functionCall: { name: "run_shell_command", args } }], GEMINI_USAGE];
}

/** Side requests (the CLI's own checks) that want JSON get JSON, as a model told to would answer. */
function sideAnswer(request: GenerateRequest): Part {
  const config = request.generationConfig;
  if (config?.responseMimeType === "application/json" || config?.responseJsonSchema || config?.responseSchema)
    return {
      text: JSON.stringify({
        reasoning: "The task is done.",
        next_speaker: "user",
        model_choice: "flash",
        complexity_reasoning: "A small change.",
        complexity_score: 10,
      }),
    };
  return { text: "Fixing the answer" };
}
