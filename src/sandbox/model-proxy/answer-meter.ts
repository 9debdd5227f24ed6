import type { IncomingMessage } from "node:http";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Transform } from "node:stream";
import type { ModelApi, ModelLimit, TokenUsage } from "../types.ts";
import { LIMIT_BODY_BYTES, recognizeLimit } from "./limits.ts";
import { SseSieve } from "./sse.ts";
import { usageReader } from "./usage.ts";

/**
 * Only a stream's events that mention usage are decoded and parsed: the text deltas, nearly all of
 * a stream, never carry it (every API names it `usage…`), and reading each would cost per token.
 */
const USAGE_MARKER = "usage";

/** A whole JSON answer bigger than this is passed on but not read. */
const JSON_BODY_BYTES = 32 * 1024 * 1024;

/** The encodings the proxy can read; it asks upstream for these alone. */
export const READABLE_ENCODINGS = ["gzip", "deflate", "br"];

export interface AnswerReading {
  model?: string;
  usage?: TokenUsage;
  limit?: ModelLimit;
}

/**
 * Reads a model's answer beside the agent, as it streams: decompressed apart, its Server-Sent
 * Events or its JSON body folded into usage, an error's body checked for a limit. What the agent
 * receives is not touched or delayed. `done` is called once, when the answer ended or was cut.
 */
export function meterAnswer(
  response: IncomingMessage,
  api: ModelApi,
  done: (reading: AnswerReading) => void,
): void {
  const status = response.statusCode ?? 0;
  const reader = usageReader(api);
  let finished = false;
  const body: Buffer[] = [];
  let bytes = 0;
  const cap = status >= 400 ? LIMIT_BODY_BYTES : JSON_BODY_BYTES;
  const sse = status < 400 && /text\/event-stream/i.test(String(response.headers["content-type"] ?? ""));
  const events = new SseSieve(USAGE_MARKER, (data) => reader.add(parseJson(data)));

  const take = (chunk: Buffer) => {
    if (sse) return events.push(chunk);
    if (bytes + chunk.length <= cap) body.push(chunk);
    bytes += chunk.length;
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    if (sse) events.end();
    const text = bytes <= cap || status >= 400 ? Buffer.concat(body).toString("utf8") : "";
    if (status < 400 && !sse && text) reader.add(parseJson(text));
    const limit = recognizeLimit(status, response.headers, text, Date.now());
    done({ ...reader.result(), ...(limit && { limit }) });
  };

  const decompress = decompressor(response.headers["content-encoding"]);
  if (decompress === null) {
    response.on("close", finish);
    return;
  }
  const source = decompress ?? response;
  if (decompress) {
    response.on("data", (chunk: Buffer) => decompress.write(chunk));
    response.on("end", () => decompress.end());
    response.on("close", () => (response.complete ? undefined : decompress.destroy()));
    decompress.on("error", finish);
    decompress.on("close", finish);
  } else response.on("close", finish);
  source.on("data", take);
  source.on("end", finish);
}

/** undefined: not encoded; null: an encoding gaffer cannot read (the answer is then not metered). */
function decompressor(encoding: string | string[] | undefined): Transform | undefined | null {
  const name = String(encoding ?? "identity")
    .trim()
    .toLowerCase();
  if (name === "identity" || name === "") return undefined;
  if (name === "gzip" || name === "x-gzip") return createGunzip();
  if (name === "deflate") return createInflate();
  if (name === "br") return createBrotliDecompress();
  return null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
