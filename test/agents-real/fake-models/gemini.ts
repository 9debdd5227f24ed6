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

/**
 * Google's Code Assist API, where Gemini CLI signed in with Google goes
 * (`POST /v1internal:streamGenerateContent?alt=sse`): the same generation, the request wrapped as
 * `{model, project, request}` and each answer as `{response}`; `loadCodeAssist` says the user is on
 * the free tier with a project, so no onboarding; other methods answer an empty object.
 */
export function startFakeCodeAssist(options: { tls?: boolean } = {}): Promise<FakeModelServer> {
  return startFakeServer((exchange) => {
    const method = /\/v1internal:([A-Za-z]+)$/.exec(exchange.path)?.[1];
    if (!method) return json(exchange.res, 404, { error: { code: 404, message: `no ${exchange.path}` } });
    if (method === "loadCodeAssist")
      return json(exchange.res, 200, {
        currentTier: { id: "free-tier", name: "Gemini Code Assist for individuals" },
        allowedTiers: [{ id: "free-tier", isDefault: true }],
        cloudaicompanionProject: "fake-project",
      });
    if (method === "countTokens") return json(exchange.res, 200, { totalTokens: 100 });
    if (method !== "streamGenerateContent" && method !== "generateContent")
      return json(exchange.res, 200, {});
    const wrapped = (exchange.body ?? {}) as { model?: string; request?: unknown };
    answer(
      { ...exchange, body: wrapped.request },
      wrapped.model ?? "",
      method === "streamGenerateContent",
      true,
    );
  }, options);
}

function answer({ res, body, report }: Exchange, model: string, stream: boolean, wrap = false): void {
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
  const out = wrap ? { response, traceId: randomUUID() } : response;
  if (!stream) return json(res, 200, out);
  const events = sse(res);
  events.send(out);
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
