import * as acp from "@agentclientprotocol/sdk";
import { GafferError, messageOf } from "../../errors.ts";
import { CLIENT_CAPABILITIES, connectClient } from "./client-app.ts";
import type { AgentTransport } from "./transport.ts";

export interface HandshakeResult {
  protocolVersion: number;
  agent: string | undefined;
  version: string | undefined;
  authMethods: string[];
}

/**
 * ACP `initialize` and nothing more: proves the agent starts and speaks the protocol, costs no
 * model call, and says who it is and how it authenticates.
 */
export async function acpHandshake(transport: AgentTransport, timeoutMs = 20_000): Promise<HandshakeResult> {
  const connection = connectClient(acp.client({ name: "gaffer" }), transport.target);
  const timer = setTimeout(() => connection.close(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const answer = await Promise.race([
      connection.agent.request(acp.methods.agent.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: CLIENT_CAPABILITIES,
        clientInfo: { name: "gaffer", version: "0.1.0" },
      }),
      transport.exited.then((description) =>
        Promise.reject(new Error(`${description}: ${transport.stderrTail()}`)),
      ),
    ]);
    return {
      protocolVersion: answer.protocolVersion,
      agent: answer.agentInfo?.name,
      version: answer.agentInfo?.version,
      authMethods: (answer.authMethods ?? []).map((method) => method.id),
    };
  } catch (error) {
    throw new GafferError(
      "agent-failed",
      `the agent did not answer ACP initialize: ${messageOf(error).split("\n")[0]}`,
      "run its command by hand: it must speak ACP on stdin/stdout",
    );
  } finally {
    clearTimeout(timer);
    await transport.stop();
  }
}
