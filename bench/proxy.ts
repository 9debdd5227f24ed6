import { mkdtempSync, rmSync } from "node:fs";
import {
  Agent as HttpAgent,
  type IncomingMessage,
  request as httpRequest,
  type RequestOptions,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, createServer, request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { createRunAuthority } from "../src/sandbox/model-proxy/authority.ts";
import { startProxy } from "../src/sandbox/proxy.ts";
import { percentile, round, type Summary, summarize } from "./stats.ts";

export interface ProxyOverhead {
  requests: number;
  /** A small model request (JSON in, JSON out) on a kept-alive connection, straight to the provider. */
  directRequestMs: Summary;
  /** The same through gaffer's proxy: TLS ended and begun again, the key swapped, the answer read. */
  proxiedRequestMs: Summary;
  extraPerRequestMedianMs: number;
  extraPerRequestP95Ms: number;
  stream: { bytes: number; events: number; runs: number };
  /** The stream sent at once: as fast as loopback carries it, so every cost of the proxy shows. */
  directStreamMs: Summary;
  proxiedStreamMs: Summary;
  streamOverheadPercent: number;
  extraPerStreamedTokenUs: number;
  /** The CPU time of the benchmark's process (provider, proxy and client) for that stream. */
  directStreamCpuMs: Summary;
  proxiedStreamCpuMs: Summary;
  extraCpuPerMegabyteMs: number;
  /** The same stream as a provider sends it, in slices over time (here 50 MB/s, far above any model). */
  paced: { sliceBytes: number; everyMs: number };
  directPacedStreamMs: Summary;
  proxiedPacedStreamMs: Summary;
  pacedStreamOverheadPercent: number;
}

const STREAM_BYTES = 10 * 1024 * 1024;
const PACED_SLICE_BYTES = 256 * 1024;
const PACED_EVERY_MS = 5;

/**
 * What gaffer's model proxy adds, against a local TLS model provider measured in the same run,
 * interleaved: per request on a kept-alive connection, and per token of a 10 MB Server-Sent Events
 * stream of Anthropic text deltas (one event per token). Upstream connections are pooled, as an
 * agent's are. A local provider answers at once, so the percentages are of nearly nothing: a real
 * model takes seconds to stream what this one sends in milliseconds.
 */
export async function measureProxyOverhead(requests: number, streamRuns: number): Promise<ProxyOverhead> {
  const scratch = mkdtempSync(join(tmpdir(), "gaffer-bench-proxy-"));
  const providerCa = createRunAuthority();
  const stream = anthropicStream(STREAM_BYTES);
  const server = createServer(providerCa.serverPair("127.0.0.1"), (req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url?.startsWith("/stream")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(stream.body);
      } else if (req.url?.startsWith("/paced")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        sendPaced(res, stream.body);
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(SMALL_ANSWER);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const socketPath = join(scratch, "proxy.sock");
  const proxy = startProxy(socketPath, {
    hosts: [authority],
    models: {
      routes: [
        {
          host: authority,
          api: "anthropic",
          credentials: [{ variable: "ANTHROPIC_API_KEY", value: "sk-ant-bench", header: "x-api-key" }],
        },
      ],
      upstreamCa: [providerCa.certificate],
    },
  });
  const direct = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: providerCa.certificate });
  const proxied = tunnelAgent(socketPath, authority, proxy.certificate ?? "");
  try {
    const samples = {
      direct: [] as number[],
      proxied: [] as number[],
      directStream: [] as number[],
      proxiedStream: [] as number[],
      directStreamCpu: [] as number[],
      proxiedStreamCpu: [] as number[],
      directPaced: [] as number[],
      proxiedPaced: [] as number[],
    };
    // Warm both paths: connections, TLS sessions, the JIT.
    for (let i = 0; i < 20; i++) {
      await timed(direct, httpsRequest, authority, "/v1/messages");
      await timed(proxied, httpRequest, authority, "/v1/messages");
    }
    for (let i = 0; i < requests; i++) {
      samples.direct.push(await timed(direct, httpsRequest, authority, "/v1/messages"));
      samples.proxied.push(await timed(proxied, httpRequest, authority, "/v1/messages"));
    }
    for (let i = 0; i < streamRuns; i++) {
      let cpu = process.cpuUsage();
      samples.directStream.push(await timed(direct, httpsRequest, authority, "/stream"));
      samples.directStreamCpu.push(cpuMs(process.cpuUsage(cpu)));
      cpu = process.cpuUsage();
      samples.proxiedStream.push(await timed(proxied, httpRequest, authority, "/stream"));
      samples.proxiedStreamCpu.push(cpuMs(process.cpuUsage(cpu)));
      samples.directPaced.push(await timed(direct, httpsRequest, authority, "/paced"));
      samples.proxiedPaced.push(await timed(proxied, httpRequest, authority, "/paced"));
    }
    const [directRequestMs, proxiedRequestMs, directStreamMs, proxiedStreamMs] = [
      samples.direct,
      samples.proxied,
      samples.directStream,
      samples.proxiedStream,
    ].map(summarize) as [Summary, Summary, Summary, Summary];
    const [directStreamCpuMs, proxiedStreamCpuMs, directPacedStreamMs, proxiedPacedStreamMs] = [
      samples.directStreamCpu,
      samples.proxiedStreamCpu,
      samples.directPaced,
      samples.proxiedPaced,
    ].map(summarize) as [Summary, Summary, Summary, Summary];
    const extraStreamMs = proxiedStreamMs.median - directStreamMs.median;
    const megabytes = stream.body.length / 2 ** 20;
    return {
      requests,
      directRequestMs: { ...directRequestMs, samples: [] },
      proxiedRequestMs: { ...proxiedRequestMs, samples: [] },
      extraPerRequestMedianMs: round(proxiedRequestMs.median - directRequestMs.median),
      extraPerRequestP95Ms: round(percentile(samples.proxied, 95) - percentile(samples.direct, 95)),
      stream: { bytes: stream.body.length, events: stream.events, runs: streamRuns },
      directStreamMs,
      proxiedStreamMs,
      streamOverheadPercent: round((extraStreamMs / directStreamMs.median) * 100),
      extraPerStreamedTokenUs: Math.round((extraStreamMs * 100_000) / stream.events) / 100,
      directStreamCpuMs,
      proxiedStreamCpuMs,
      extraCpuPerMegabyteMs: round((proxiedStreamCpuMs.median - directStreamCpuMs.median) / megabytes),
      paced: { sliceBytes: PACED_SLICE_BYTES, everyMs: PACED_EVERY_MS },
      directPacedStreamMs,
      proxiedPacedStreamMs,
      pacedStreamOverheadPercent: round(
        ((proxiedPacedStreamMs.median - directPacedStreamMs.median) / directPacedStreamMs.median) * 100,
      ),
    };
  } finally {
    direct.destroy();
    proxied.destroy();
    await proxy.close();
    server.closeAllConnections();
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const SMALL_ANSWER = JSON.stringify({
  type: "message",
  model: "claude-sonnet-4-5",
  content: [{ type: "text", text: "ok" }],
  usage: { input_tokens: 120, output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
});

/** A Messages stream of about `bytes`: message_start, one text delta per token, message_delta, message_stop. */
function anthropicStream(bytes: number): { body: Buffer; events: number } {
  const event = (type: string, data: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const delta = event("content_block_delta", { index: 0, delta: { type: "text_delta", text: " token" } });
  const events = Math.floor(bytes / delta.length);
  const body = [
    event("message_start", {
      message: { model: "claude-sonnet-4-5", usage: { input_tokens: 100, output_tokens: 1 } },
    }),
    delta.repeat(events),
    event("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: events } }),
    event("message_stop", {}),
  ].join("");
  return { body: Buffer.from(body), events };
}

/** Writes `body` in slices, one every PACED_EVERY_MS from the start (a late slice does not delay the next). */
function sendPaced(res: ServerResponse, body: Buffer): void {
  const started = performance.now();
  const send = (slice: number) => {
    const at = slice * PACED_SLICE_BYTES;
    if (at + PACED_SLICE_BYTES >= body.length) return void res.end(body.subarray(at));
    res.write(body.subarray(at, at + PACED_SLICE_BYTES));
    const next = started + (slice + 1) * PACED_EVERY_MS;
    setTimeout(() => send(slice + 1), Math.max(0, next - performance.now()));
  };
  send(0);
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/**
 * An agent's connection pool through gaffer's proxy: a CONNECT over its socket, then TLS that
 * trusts the run's authority alone; kept alive, as agents keep theirs.
 */
function tunnelAgent(socketPath: string, authority: string, ca: string): HttpAgent {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  agent.createConnection = (_options, done) => {
    const connect = httpRequest({ socketPath, method: "CONNECT", path: authority });
    connect.on("connect", (_answer, socket: Socket) => {
      const secure = tlsConnect({ socket, host: "127.0.0.1", ca });
      secure.on("secureConnect", () => done?.(null, secure));
      secure.on("error", (error) => done?.(error, secure));
    });
    connect.on("error", (error) => done?.(error, undefined as never));
    connect.end();
    return undefined as never;
  };
  return agent;
}

type Requester = (
  options: RequestOptions,
  callback: (res: IncomingMessage) => void,
) => ReturnType<typeof httpRequest>;

/** Milliseconds to send a small POST and read the whole answer. */
function timed(agent: HttpAgent, send: Requester, authority: string, path: string): Promise<number> {
  const [host, port] = authority.split(":");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = send(
      {
        agent,
        host,
        port: Number(port),
        method: "POST",
        path,
        headers: { "content-type": "application/json", "x-api-key": "gaffer-placeholder-ANTHROPIC_API_KEY" },
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(performance.now() - started));
      },
    );
    req.on("error", reject);
    req.end('{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}');
  });
}
