import * as acp from "@agentclientprotocol/sdk";
import type { AgentUpdate } from "../types.ts";
import type { Terminals } from "./terminals.ts";
import { toAgentUpdate } from "./updates.ts";
import type { WorkspaceFs } from "./workspace-fs.ts";

/** What the client side of a session needs to answer an agent. */
export interface ClientHandlers {
  onUpdate(update: AgentUpdate): void;
  requestPermission(request: acp.RequestPermissionRequest): Promise<acp.RequestPermissionResponse>;
  fs: WorkspaceFs;
  terminals: Terminals;
}

/** The capabilities gaffer advertises: it serves files and terminals itself, so it can police them. */
export const CLIENT_CAPABILITIES: acp.ClientCapabilities = {
  fs: { readTextFile: true, writeTextFile: true },
  terminal: true,
};

export function buildClientApp(handlers: ClientHandlers): acp.ClientApp {
  const { fs, terminals } = handlers;
  return (
    acp
      .client({ name: "gaffer" })
      // Synchronous on purpose: updates reach the engine in the order the agent sent them.
      .onNotification(acp.methods.client.session.update, ({ params }) =>
        handlers.onUpdate(toAgentUpdate(params.update)),
      )
      .onRequest(acp.methods.client.session.requestPermission, ({ params }) =>
        handlers.requestPermission(params),
      )
      .onRequest(acp.methods.client.fs.readTextFile, ({ params }) => fs.read(params))
      .onRequest(acp.methods.client.fs.writeTextFile, ({ params }) => fs.write(params))
      .onRequest(acp.methods.client.terminal.create, ({ params }) => terminals.create(params))
      .onRequest(acp.methods.client.terminal.output, ({ params }) => terminals.output(params))
      .onRequest(acp.methods.client.terminal.waitForExit, ({ params }) => terminals.waitForExit(params))
      .onRequest(acp.methods.client.terminal.kill, ({ params }) => terminals.kill(params))
      .onRequest(acp.methods.client.terminal.release, ({ params }) => terminals.release(params))
  );
}

/** Connects a client app to a subprocess stream or, in-process, to an agent app. */
export function connectClient(app: acp.ClientApp, target: acp.Stream | acp.AgentApp): acp.ClientConnection {
  return target instanceof acp.AgentApp ? app.connect(target) : app.connect(target);
}
