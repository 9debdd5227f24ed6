import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { findLiveToken, type Db } from "../store/index.ts";
import { isLoopback } from "./bind.ts";
import type { WebVariables } from "./context.ts";

type Env = { Variables: WebVariables };

function refuse(c: Context, status: 401 | 403, message: string, hint: string): Response {
  return c.json({ error: { code: "unauthorized", message, hint } }, status);
}

function bearer(c: Context): string | undefined {
  const header = c.req.header("authorization");
  return header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : undefined;
}

function fromLoopback(c: Context): boolean {
  return isLoopback(getConnInfo(c).remote.address);
}

/**
 * A loopback server answers only requests addressed to loopback names, so a web page elsewhere
 * cannot read it through a DNS name rebound to 127.0.0.1.
 */
export function loopbackHostOnly(): MiddlewareHandler {
  return async (c, next) => {
    const host = new URL(c.req.url).hostname.replace(/^\[|\]$/g, "");
    if (!isLoopback(host))
      return refuse(c, 403, `host "${host}" is not this machine`, "open the dashboard at http://127.0.0.1");
    await next();
  };
}

/** Reading: free from this machine, a live token from anywhere else. */
export function readAccess(db: Db): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (fromLoopback(c)) return next();
    return requireToken(db)(c, next);
  };
}

/** Acting: always a live token, whose name is who acted. */
export function requireToken(db: Db): MiddlewareHandler<Env> {
  return async (c, next) => {
    const secret = bearer(c);
    if (secret === undefined)
      return refuse(
        c,
        401,
        "this needs a token",
        "send Authorization: Bearer <token> (gaffer token create --name <who>)",
      );
    const token = await findLiveToken(db, secret);
    if (!token)
      return refuse(
        c,
        403,
        "the token is unknown or revoked",
        "`gaffer token list` shows live tokens; make one with `gaffer token create`",
      );
    c.set("tokenName", token.name);
    await next();
  };
}
