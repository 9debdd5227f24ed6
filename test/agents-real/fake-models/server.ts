import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { PROVIDER_CA } from "../../helpers/fake-provider.ts";

/** Tokens one response reported, in the provider's own terms (cached and cache writes apart). */
export interface ReportedUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** One request the fake answered: what it asked, and the usage the answer reported. */
export interface LoggedRequest {
  method: string;
  path: string;
  /** The credential it came with: `x-api-key`, `x-goog-api-key` or `authorization`. */
  credential: string | undefined;
  body: unknown;
  usage?: ReportedUsage;
  /** Whether the answer was a step of the scripted conversation, not a side request (a title, a check). */
  conversation?: boolean;
}

export interface FakeModelServer {
  /** `http://127.0.0.1:<port>`, or `https://` behind TLS (a certificate of PROVIDER_CA). */
  readonly url: string;
  /** `127.0.0.1:<port>`, for a sandbox's host allowlist. */
  readonly host: string;
  readonly requests: LoggedRequest[];
  /** The usage of every answer so far (or only the conversation's), added up. */
  reported(which?: "conversation"): ReportedUsage;
  close(): Promise<void>;
}

/** What a provider's handler gets for each request. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  body: unknown;
  /** Records the usage this answer reports, and whether it was a step of the scripted conversation. */
  report(usage: ReportedUsage, conversation: boolean): void;
}

export type Handler = (exchange: Exchange) => void | Promise<void>;

/**
 * An HTTP server on 127.0.0.1 (a free port) that logs every request and hands it to `handle`;
 * with `tls`, behind TLS with a certificate of the fake providers' own authority.
 */
export async function startFakeServer(
  handle: Handler,
  options: { tls?: boolean } = {},
): Promise<FakeModelServer> {
  const requests: LoggedRequest[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://fake").pathname;
      const credential = [
        req.headers["x-api-key"],
        req.headers["x-goog-api-key"],
        req.headers.authorization,
      ].find((value): value is string => typeof value === "string");
      const entry: LoggedRequest = { method: req.method ?? "GET", path, credential, body: parseBody(text) };
      requests.push(entry);
      const report = (usage: ReportedUsage, conversation: boolean) =>
        Object.assign(entry, { usage, conversation });
      Promise.resolve(handle({ req, res, path, body: entry.body, report })).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: String(error) } }));
      });
    });
  };
  const server = options.tls
    ? createTlsServer(PROVIDER_CA.serverPair("127.0.0.1"), onRequest)
    : createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    reported: (which) =>
      sumUsage(requests.flatMap((r) => (r.usage && (!which || r.conversation) ? [r.usage] : []))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sumUsage(usages: ReportedUsage[]): ReportedUsage {
  const total = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const usage of usages) {
    total.input += usage.input;
    total.output += usage.output;
    total.cacheRead += usage.cacheRead;
    total.cacheWrite += usage.cacheWrite;
  }
  return total;
}

/** Starts a Server-Sent Events answer. */
export function sse(res: ServerResponse): { send(data: unknown, event?: string): void; end(): void } {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  return {
    send(data, event) {
      res.write(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      res.end();
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
