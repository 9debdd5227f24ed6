import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhooks } from "@octokit/webhooks";
import type { TrackerConfig, WebhookConfig } from "../config/index.ts";
import { GafferError } from "../errors.ts";

/**
 * The webhook receiver: a forge's deliveries, verified by their HMAC-SHA256 signature (GitHub's
 * `X-Hub-Signature-256: sha256=<hex>`, Gitea's and Forgejo's `X-Gitea-Signature: <hex>`, the same
 * HMAC), each delivery taken once by its id. An unsigned, wrongly signed or unknown delivery is
 * refused and counted; a replayed one is answered and ignored.
 */

/** A delivery larger than this is refused unread (GitHub caps payloads at 25 MB; issue events are small). */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** How many delivery ids are remembered to recognise a replay. */
const REMEMBERED = 10_000;

export interface Delivery {
  id: string;
  event: string;
}

export type Refusal = "unsigned" | "bad-signature" | "unknown" | "too-large" | "not-post";

export interface ReceiverHandlers {
  /** A verified delivery seen for the first time. */
  onDelivery(delivery: Delivery): void;
  /** A verified delivery whose id was seen before: a replay. */
  onReplay(delivery: Delivery): void;
  /** A refused request, and how many were refused since the receiver started. */
  onRefused(reason: Refusal, refused: number): void;
}

export interface WebhookReceiver {
  /** Where the forge delivers: `http://host:port/`. */
  url: string;
  close(): Promise<void>;
}

/** Starts serving deliveries on `[tracker.webhook] listen`, with the secret from its variable. */
export async function startWebhookReceiver(
  config: TrackerConfig & { webhook: WebhookConfig },
  env: NodeJS.ProcessEnv,
  handlers: ReceiverHandlers,
): Promise<WebhookReceiver> {
  const secret = env[config.webhook.secretEnv];
  if (!secret) {
    throw new GafferError(
      "tracker-auth",
      `[tracker.webhook] secret_env ${config.webhook.secretEnv} is not set`,
      `export ${config.webhook.secretEnv}=<the secret the forge's webhook signs with>; see docs/FORGES.md`,
    );
  }
  const webhooks = new Webhooks({ secret });
  const seen = new Set<string>();
  let refused = 0;
  const refuse = (res: ServerResponse, status: number, reason: Refusal) => {
    refused += 1;
    handlers.onRefused(reason, refused);
    res.writeHead(status, { "content-type": "text/plain" }).end(`${reason}\n`);
  };
  const server = createServer((req, res) => {
    void receive(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return refuse(res, 405, "not-post");
    const body = await readBody(req);
    if (body === undefined) return refuse(res, 413, "too-large");
    const signature = signatureOf(config.kind, req);
    if (!signature) return refuse(res, 401, "unsigned");
    if (!(await webhooks.verify(body, signature).catch(() => false)))
      return refuse(res, 401, "bad-signature");
    const delivery = deliveryOf(config.kind, req);
    if (!delivery) return refuse(res, 400, "unknown");
    if (seen.has(delivery.id)) {
      handlers.onReplay(delivery);
      res.writeHead(200, { "content-type": "text/plain" }).end("already received\n");
      return;
    }
    seen.add(delivery.id);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value as string);
    handlers.onDelivery(delivery);
    res.writeHead(202, { "content-type": "text/plain" }).end("accepted\n");
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new GafferError(
          "config-invalid",
          `[tracker.webhook] listen ${config.webhook.host}:${config.webhook.port} cannot be served: ${error.code ?? error.message}`,
          "choose a free port, on an address of this machine",
        ),
      ),
    );
    server.listen(config.webhook.port, config.webhook.host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** GitHub's signature as `sha256=<hex>`; Gitea's and Forgejo's bare hex, given the same prefix. */
function signatureOf(kind: TrackerConfig["kind"], req: IncomingMessage): string | undefined {
  if (kind === "github") return header(req, "x-hub-signature-256");
  const hex = header(req, "x-gitea-signature") ?? header(req, "x-forgejo-signature");
  return hex && `sha256=${hex}`;
}

function deliveryOf(kind: TrackerConfig["kind"], req: IncomingMessage): Delivery | undefined {
  const id =
    kind === "github"
      ? header(req, "x-github-delivery")
      : (header(req, "x-gitea-delivery") ?? header(req, "x-forgejo-delivery"));
  const event =
    kind === "github"
      ? header(req, "x-github-event")
      : (header(req, "x-gitea-event") ?? header(req, "x-forgejo-event"));
  return id && event ? { id, event } : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The body as text, or undefined past the size limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
