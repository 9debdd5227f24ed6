import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import { createRunAuthority } from "../../src/sandbox/model-proxy/authority.ts";

/** The fake providers' own authority: gaffer trusts it for upstreams (`upstreamCa`), agents never do. */
export const PROVIDER_CA = createRunAuthority();

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ProviderAnswer {
  status?: number;
  headers?: OutgoingHttpHeaders;
  body: string | Buffer;
}

export interface FakeProvider {
  /** `127.0.0.1:<port>` */
  authority: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A fake provider that closes when the test ends. */
export async function fakeProvider(
  t: TestContext,
  answer: (request: SeenRequest) => ProviderAnswer,
): Promise<FakeProvider> {
  const provider = await startFakeProvider(answer);
  t.after(() => provider.close());
  return provider;
}

/**
 * A model provider over TLS on 127.0.0.1 (certificate by PROVIDER_CA): records each request,
 * answers `answer`'s. It does not keep the process alive.
 */
export async function startFakeProvider(
  answer: (request: SeenRequest) => ProviderAnswer,
): Promise<FakeProvider> {
  const seen: SeenRequest[] = [];
  const server = createServer(PROVIDER_CA.serverPair("127.0.0.1"), (req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "GET", path: req.url ?? "", headers: req.headers, body };
      seen.push(request);
      const { status = 200, headers = {}, body: out } = answer(request);
      res.writeHead(status, headers).end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return {
    seen,
    authority: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An Anthropic Messages stream that reports `usage` (Anthropic's own terms). */
export function anthropicStream(usage: {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}): ProviderAnswer {
  const events = [
    {
      type: "message_start",
      message: {
        model: "claude-sonnet-4-5",
        usage: {
          input_tokens: usage.input,
          cache_read_input_tokens: usage.cacheRead,
          cache_creation_input_tokens: usage.cacheWrite,
          output_tokens: 1,
        },
      },
    },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "done" } },
    { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: usage.output } },
    { type: "message_stop" },
  ];
  return {
    headers: { "content-type": "text/event-stream" },
    body: events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(""),
  };
}
