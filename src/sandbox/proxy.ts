import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { GafferError } from "../errors.ts";
import { hostAllowed, parseAuthority } from "./hosts.ts";
import { createModelInterceptor } from "./model-proxy/intercept.ts";
import type { ModelTraffic, SandboxHooks } from "./types.ts";

// Not an `import` of node:http: making its ES module view loads undici, ~20 ms of every run's start.
const { createServer, request } = process.getBuiltinModule("node:http");

export interface NetworkProxy {
  /** The certificate (PEM) of the authority that signs the model hosts' certificates, when there are any. */
  readonly certificate: string | undefined;
  /** Stops listening and cuts open connections. Safe to call twice. */
  close(): Promise<void>;
}

/** sun_path holds 108 bytes, the last a NUL. */
const MAX_SOCKET_PATH = 107;

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "upgrade"];

/**
 * An allowlisting HTTP proxy on a Unix socket: `CONNECT host:port` tunnels (HTTPS) and plain
 * `http://` absolute-URI requests. A host not on the allowlist gets a 403 and is reported;
 * its name is never resolved. A CONNECT to one of `models`' hosts is not tunnelled but opened
 * (see createModelInterceptor): the credentials are gaffer's, the answers are read. The socket is
 * bound before this returns; keep it in a private directory, since whoever can connect to it can
 * use the allowlist, and the credentials.
 */
export function startProxy(
  socketPath: string,
  network: { hosts: readonly string[]; models?: ModelTraffic | undefined },
  hooks: SandboxHooks = {},
): NetworkProxy {
  const { hosts } = network;
  const onDenied = hooks.onNetworkDenied ?? (() => {});
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new GafferError(
      "sandbox-unavailable",
      `sandbox: the proxy socket path is too long: ${socketPath}`,
      "set TMPDIR to a shorter directory",
    );
  }
  const open = new Set<Duplex>();
  const track = (socket: Duplex) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  };
  const admit = (authority: string | undefined, method: string, defaultPort: number) => {
    const target = parseAuthority(authority ?? "");
    if (target === undefined) return undefined;
    const port = target.port ?? defaultPort;
    if (hostAllowed(hosts, target.host, port)) return { host: target.host, port };
    onDenied({ host: target.host, port, method });
    return undefined;
  };

  const models =
    network.models && network.models.routes.length > 0
      ? createModelInterceptor(network.models, hooks.onModelExchange ?? (() => {}), track)
      : undefined;
  const server = createServer((req, res) => forwardHttp(req, res, admit, track));
  server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    // Node stops watching a socket once it is handed over for CONNECT.
    client.on("error", () => client.destroy());
    const target = admit(req.url, "CONNECT", 443);
    if (target === undefined) return refuse(client, req.url);
    const route = models?.routeFor(target.host, target.port);
    if (models && route) models.intercept(client, head, route);
    else tunnel(client, head, target, track);
  });
  server.on("connection", track);
  server.listen(socketPath);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      models?.close();
      server.close(() => resolve());
    });
    return closing;
  };
  return { certificate: models?.certificate, close };
}

type Admit = (
  authority: string | undefined,
  method: string,
  defaultPort: number,
) => { host: string; port: number } | undefined;

function refuse(client: Duplex, target: string | undefined): void {
  const body = `gaffer sandbox: ${target ?? "this host"} is not on the network allowlist\n`;
  client.end(
    `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function tunnel(
  client: Duplex,
  head: Buffer,
  target: { host: string; port: number },
  track: (s: Duplex) => void,
): void {
  let connected = false;
  const upstream = connect(target.port, target.host, () => {
    connected = true;
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  track(upstream);
  upstream.on("error", () => {
    if (!connected) client.end("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n");
    else client.destroy();
  });
  client.on("error", () => upstream.destroy());
}

function forwardHttp(
  req: IncomingMessage,
  res: ServerResponse,
  admit: Admit,
  track: (s: Duplex) => void,
): void {
  const url = absoluteHttpUrl(req.url);
  if (url === undefined) return void res.writeHead(400).end("gaffer sandbox: only http:// absolute URIs\n");
  const target = admit(url.host, req.method ?? "GET", 80);
  if (target === undefined)
    return void res.writeHead(403).end(`gaffer sandbox: ${url.host} is not on the network allowlist\n`);
  const headers = { ...req.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  headers.connection = "close";
  // One connection per request, never pooled: a server may answer keep-alive all the same, and a
  // pooled socket it then treats as spent turns the next request into a 400.
  const upstream = request(
    {
      host: target.host,
      port: target.port,
      method: req.method,
      path: url.pathname + url.search,
      headers,
      agent: false,
    },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  upstream.on("socket", track);
  upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  req.pipe(upstream);
}

function absoluteHttpUrl(raw: string | undefined): URL | undefined {
  try {
    const url = new URL(raw ?? "");
    return url.protocol === "http:" ? url : undefined;
  } catch {
    return undefined;
  }
}
