import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Project } from "../engine/index.ts";
import { GafferError } from "../errors.ts";
import { dashboardApp } from "./app.ts";
import { type BindOptions, checkBind, isLoopback } from "./bind.ts";
import { watchStore } from "./store-changes.ts";

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

/** Starts the dashboard for `project` and resolves once it listens (port 0: any free port). */
export async function startDashboard(project: Project, bind: BindOptions): Promise<RunningDashboard> {
  checkBind(bind);
  const changes = watchStore(project.paths.database);
  const app = dashboardApp({ project }, { loopbackOnly: isLoopback(bind.host), changes });
  const tls = bind.tls && { cert: readFileSync(bind.tls.cert), key: readFileSync(bind.tls.key) };
  const server = serve({
    fetch: app.fetch,
    hostname: bind.host,
    port: bind.port,
    ...(tls && { createServer: createHttpsServer, serverOptions: tls }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", () => changes.close());
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new GafferError(
          "usage",
          `the dashboard cannot listen on ${bind.host}:${bind.port}: ${error.code ?? error.message}`,
          error.code === "EADDRINUSE"
            ? "pick another --port, or stop what uses it"
            : "check --host and --port",
        ),
      ),
    );
  });
  const { port } = server.address() as AddressInfo;
  const host = bind.host.includes(":") ? `[${bind.host}]` : bind.host;
  return {
    url: `${tls ? "https" : "http"}://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        changes.close();
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
