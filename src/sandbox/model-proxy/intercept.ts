import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Agent, request } from "node:https";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { createSecureContext, rootCertificates, TLSSocket } from "node:tls";
import { parseAuthority } from "../hosts.ts";
import type { ModelExchange, ModelRoute, ModelTraffic } from "../types.ts";
import { meterAnswer, READABLE_ENCODINGS } from "./answer-meter.ts";
import { createRunAuthority } from "./authority.ts";
import { withCredentials } from "./credentials.ts";

// Not an `import` of node:http: making its ES module view loads undici, ~20 ms of every run's start.
const { createServer } = process.getBuiltinModule("node:http");

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

export interface ModelInterceptor {
  /** The certificate of the authority the sandbox must trust (PEM). */
  readonly certificate: string;
  /** The route a CONNECT to `host:port` goes to, if it is a model host's. */
  routeFor(host: string, port: number): ModelRoute | undefined;
  /** Takes over a client whose CONNECT to `route` was accepted (before any answer was written). */
  intercept(client: Duplex, head: Buffer, route: ModelRoute): void;
  /** Closes the pooled upstream connections. */
  close(): void;
}

/**
 * The proxy's model side. A CONNECT to a model host is answered, then the agent's TLS is ended
 * here with a certificate of the run's own authority; each HTTP request inside is sent upstream
 * over verified TLS with the agent's credentials replaced by gaffer's (see withCredentials), and
 * its answer streams back while it is read for usage and limits. A WebSocket upgrade is refused:
 * the agents fall back to HTTP streaming, which can be read.
 */
export function createModelInterceptor(
  traffic: ModelTraffic,
  onExchange: (exchange: ModelExchange) => void,
  track: (socket: Duplex) => void,
): ModelInterceptor {
  const authority = createRunAuthority();
  // A context, not `ca`: the agent would otherwise join every root into each request's pool key.
  const trust =
    traffic.upstreamCa.length > 0
      ? { secureContext: createSecureContext({ ca: [...rootCertificates, ...traffic.upstreamCa] }) }
      : {};
  const upstreamAgent = new Agent({ keepAlive: true, ...trust });
  const routes = new WeakMap<object, ModelRoute>();
  const server = createServer((req, res) => {
    const route = routes.get(req.socket);
    if (!route) return void res.writeHead(500).end();
    withLoginTokens(route).then(
      (current) => forward(req, res, current, upstreamAgent, onExchange),
      () => refuse(res, 502, `gaffer sandbox: the login for ${route.host} could not be refreshed\n`),
    );
  });
  server.on("upgrade", (_req: IncomingMessage, socket: Duplex) =>
    socket.end("HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
  );
  server.on("clientError", (_error, socket: Duplex) => socket.destroy());
  return {
    certificate: authority.certificate,
    routeFor: (host, port) =>
      traffic.routes.find((route) => {
        const target = parseAuthority(route.host);
        return target !== undefined && target.host === host && (target.port ?? 443) === port;
      }),
    intercept(client, head, route) {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) client.unshift(head);
      const hostName = parseAuthority(route.host)?.host ?? route.host;
      const secure = new TLSSocket(client, {
        isServer: true,
        secureContext: authority.contextFor(hostName),
        ALPNProtocols: ["http/1.1"],
      });
      track(secure);
      secure.on("error", () => client.destroy());
      routes.set(secure, route);
      server.emit("connection", secure);
    },
    close: () => upstreamAgent.destroy(),
  };
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  route: ModelRoute,
  agent: Agent,
  onExchange: (exchange: ModelExchange) => void,
): void {
  const target = parseAuthority(route.upstream ?? route.host);
  const host = target?.host ?? route.host;
  const authority = route.upstream ?? route.host;
  const { headers, path } = withCredentials(
    upstreamHeaders(req.headers, authority),
    req.url ?? "/",
    route.credentials,
  );
  const method = req.method ?? "GET";
  const report = (
    status: number,
    reading: Omit<ModelExchange, "host" | "api" | "method" | "path" | "status">,
  ) => onExchange({ host: route.host, api: route.api, method, path: pathOnly(path), status, ...reading });
  const upstream = request(
    {
      host,
      port: target?.port ?? 443,
      // SNI names a host, never an address; an address is verified against the certificate's IPs.
      ...(isIP(host) === 0 && { servername: host }),
      method,
      path,
      headers,
      agent,
    },
    (response) => {
      const status = response.statusCode ?? 502;
      if (status === 401) for (const login of route.credentials) login.rejected?.(login.value);
      res.writeHead(status, answerHeaders(response.headers));
      meterAnswer(response, route.api, (reading) => report(status, reading));
      response.pipe(res);
    },
  );
  // An agent that hangs up stops the upstream request (and the answer's reading ends there).
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  // A request that never reached the host was not served: the agent gets a 502, nothing is counted.
  upstream.on("error", () => {
    if (res.headersSent) return void res.destroy();
    refuse(res, 502, `gaffer sandbox: ${route.host} could not be reached\n`);
  });
  req.on("error", () => upstream.destroy());
  req.pipe(upstream);
}

/** The route with each login's current token as its value (refreshed first if it is about to expire). */
async function withLoginTokens(route: ModelRoute): Promise<ModelRoute> {
  if (!route.credentials.some((c) => c.token)) return route;
  const credentials = await Promise.all(
    route.credentials.map(async (c) => (c.token ? { ...c, value: await c.token() } : c)),
  );
  return { ...route, credentials };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain" }).end(message);
}

/** The agent's headers, for the upstream: no hop-by-hop ones, its own host, encodings the proxy reads. */
function upstreamHeaders(headers: IncomingHttpHeaders, authority: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  out.host = authority.endsWith(":443") ? authority.slice(0, -4) : authority;
  const accepted = String(headers["accept-encoding"] ?? "")
    .split(",")
    .map((part) => part.trim().split(";")[0]?.toLowerCase() ?? "")
    .filter((name) => READABLE_ENCODINGS.includes(name));
  if (accepted.length > 0) out["accept-encoding"] = accepted.join(", ");
  else delete out["accept-encoding"];
  return out;
}

function answerHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

/** The path without its query: a query may hold what the agent sent as a key. */
function pathOnly(path: string): string {
  const query = path.indexOf("?");
  return query < 0 ? path : path.slice(0, query);
}
