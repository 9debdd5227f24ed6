import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../errors.ts";
import { isGafferError } from "../errors.ts";
import { actionRoutes } from "./actions.ts";
import { readRoutes } from "./api.ts";
import { type Asset, loadAssets } from "./assets.ts";
import { loopbackHostOnly, readAccess, requireToken } from "./auth.ts";
import type { WebContext, WebVariables } from "./context.ts";
import { eventStream } from "./stream.ts";

const STATUS_OF: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  "run-not-found": 404,
  "item-not-found": 404,
  "run-state": 409,
};

/** Pages are the front end's; its only other requests are to /api, so nothing else may be loaded. */
const PAGE_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/**
 * The dashboard: the built pages, the JSON API under /api (reads, then actions needing a token),
 * and the live event feed at /api/stream. `loopbackOnly`: the server listens on loopback.
 */
export function dashboardApp(
  ctx: WebContext,
  options: { loopbackOnly: boolean; assets?: Map<string, Asset> },
): Hono<{ Variables: WebVariables }> {
  const db = ctx.project.store.db;
  const assets = options.assets ?? loadAssets();
  const app = new Hono<{ Variables: WebVariables }>();
  if (options.loopbackOnly) app.use("*", loopbackHostOnly());

  app.use("/api/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });
  app.on(["POST", "PUT", "PATCH", "DELETE"], "/api/*", requireToken(db));
  app.get("/api/*", readAccess(db));
  app.get("/api/stream", eventStream(db, ctx.project.paths.database));
  app.route("/api", readRoutes(ctx));
  app.route("/api", actionRoutes(ctx));
  app.all("/api/*", (c) =>
    c.json(
      {
        error: {
          code: "not-found",
          message: `no ${c.req.method} ${c.req.path}`,
          hint: "see docs/DASHBOARD.md",
        },
      },
      404,
    ),
  );

  app.get("*", (c) => {
    const asset = assets.get(c.req.path) ?? assets.get("/index.html");
    if (!asset) return c.notFound();
    c.header("Content-Type", asset.type);
    c.header("Content-Security-Policy", PAGE_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    return c.body(asset.body as Uint8Array<ArrayBuffer>);
  });

  app.onError((error, c) => {
    if (isGafferError(error))
      return c.json(
        { error: { code: error.code, message: error.message, hint: error.hint ?? null } },
        STATUS_OF[error.code] ?? 400,
      );
    console.error(error);
    return c.json(
      { error: { code: "internal", message: "the server failed; see its log", hint: null } },
      500,
    );
  });
  return app;
}
