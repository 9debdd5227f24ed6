import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Token, User } from "./model.ts";

/** One API request, parsed: path parameters, query, JSON body and who is asking. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  params: Record<string, string>;
  token: Token | undefined;
  user: User | undefined;
  /** The server's own address, for the URLs responses carry. */
  base: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by a handler to answer with an error status and body. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export type Handler = (req: ApiRequest) => ApiResponse;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

/** Routes like `/repos/:owner/:repo/issues/:number`, matched segment by segment. */
export class Router {
  readonly #routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method, parts: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | "no-method" | undefined {
    const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = matchParts(route.parts, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { handler: route.handler, params };
    }
    return pathMatched ? "no-method" : undefined;
  }
}

function matchParts(parts: string[], segments: string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] as string;
    if (part.startsWith(":")) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

/**
 * One page of `items`, with the `Link` header both forges send (`first`, `prev`, `next`, `last`).
 * GitHub pages with `per_page` (default 30, at most 100), Gitea with `limit` (default 30, at most
 * 50) and adds `X-Total-Count`.
 */
export function page<T>(
  req: ApiRequest,
  items: T[],
  style: "github" | "gitea",
): { items: T[]; headers: Record<string, string> } {
  const sizeParam = style === "github" ? "per_page" : "limit";
  const max = style === "github" ? 100 : 50;
  const size = Math.min(max, Math.max(1, Number(req.query.get(sizeParam) ?? 30) || 30));
  const number = Math.max(1, Number(req.query.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / size));
  const link = (rel: string, to: number) => {
    const query = new URLSearchParams(req.query);
    query.set("page", String(to));
    query.set(sizeParam, String(size));
    return `<${req.base}${req.path}?${query}>; rel="${rel}"`;
  };
  const links = [
    ...(number > 1 ? [link("prev", number - 1), link("first", 1)] : []),
    ...(number < last ? [link("next", number + 1), link("last", last)] : []),
  ];
  const headers: Record<string, string> = links.length ? { link: links.join(", ") } : {};
  if (style === "gitea") headers["x-total-count"] = String(items.length);
  return { items: items.slice((number - 1) * size, number * size), headers };
}

/** A strong validator for a response body, as GitHub sends on every GET. */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("hex").slice(0, 40)}"`;
}

/** A string query parameter, or undefined. */
export function queryValue(req: ApiRequest, name: string): string | undefined {
  return req.query.get(name) ?? undefined;
}

/** The request body as an object; anything else is a 400, as both forges answer unparsable JSON. */
export function bodyObject(req: ApiRequest): Record<string, unknown> {
  if (req.body === undefined) return {};
  if (typeof req.body !== "object" || req.body === null || Array.isArray(req.body)) {
    throw new ApiError(400, { message: "Problems parsing JSON" });
  }
  return req.body as Record<string, unknown>;
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Line comments given with a review: `path`, `body` and the line under `lineKey` (GitHub `line`, Gitea `new_position`). */
export function lineComments(
  value: unknown,
  lineKey: string,
): { path: string; line: number | null; body: string }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((c: Record<string, unknown>) =>
    typeof c?.["path"] === "string" && typeof c["body"] === "string"
      ? [
          {
            path: c["path"],
            body: c["body"],
            line: typeof c[lineKey] === "number" ? (c[lineKey] as number) : null,
          },
        ]
      : [],
  );
}
