import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as acp from "@agentclientprotocol/sdk";
import { inProcessTransport, startAcpSession } from "../../src/agents/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { PROMPT, recordingContext } from "./helpers.ts";

/** An agent that reports cost in a usage_update and tokens on its prompt response, as claude-agent-acp does. */
function reportingAgent(): acp.AgentApp {
  return acp
    .agent({ name: "reporting" })
    .onRequest(acp.methods.agent.initialize, () => ({
      protocolVersion: acp.PROTOCOL_VERSION,
      agentCapabilities: {},
    }))
    .onRequest(acp.methods.agent.session.new, () => ({ sessionId: "s1" }))
    .onRequest(acp.methods.agent.session.prompt, async ({ params, client }) => {
      await client.notify(acp.methods.client.session.update, {
        sessionId: params.sessionId,
        update: {
          sessionUpdate: "usage_update",
          used: 900,
          size: 200_000,
          cost: { amount: 0.0042, currency: "USD" },
        },
      });
      return {
        stopReason: "end_turn",
        usage: { inputTokens: 700, outputTokens: 80, totalTokens: 780, cachedReadTokens: 120 },
      } as never;
    });
}

describe("agents/acp usage", () => {
  it("reports the turn's token counts from the prompt response after the cost from usage_update", async (t) => {
    const recorder = recordingContext(tempDir(t));
    const session = await startAcpSession(inProcessTransport(reportingAgent()), recorder.context);
    t.after(() => session.close());
    assert.equal((await session.prompt({ ...PROMPT, text: "go" })).stopReason, "end_turn");
    const usage = recorder.of("usage");
    assert.equal(usage[0]?.costAmount, 0.0042);
    assert.deepEqual(usage.at(-1), { kind: "usage", inputTokens: 700, outputTokens: 80, cachedTokens: 120 });
  });
});
