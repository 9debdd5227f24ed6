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
        usage: {
          inputTokens: 700,
          outputTokens: 80,
          totalTokens: 930,
          cachedReadTokens: 120,
          cachedWriteTokens: 30,
        },
      } as never;
    });
}

/** An agent that reports tokens only in its prompt response's `_meta.quota`, as Gemini CLI does. */
function quotaAgent(): acp.AgentApp {
  return acp
    .agent({ name: "quota" })
    .onRequest(acp.methods.agent.initialize, () => ({
      protocolVersion: acp.PROTOCOL_VERSION,
      agentCapabilities: {},
    }))
    .onRequest(acp.methods.agent.session.new, () => ({ sessionId: "s1" }))
    .onRequest(acp.methods.agent.session.prompt, () => ({
      stopReason: "end_turn",
      _meta: {
        quota: {
          token_count: { input_tokens: 900, output_tokens: 150 },
          model_usage: [
            { model: "gemini-2.5-flash", token_count: { input_tokens: 900, output_tokens: 150 } },
          ],
        },
      },
    }));
}

describe("agents/acp usage", () => {
  it("reports the turn's token counts from the prompt response after the cost from usage_update; cache writes count as input", async (t) => {
    const recorder = recordingContext(tempDir(t));
    const session = await startAcpSession(inProcessTransport(reportingAgent()), recorder.context);
    t.after(() => session.close());
    assert.equal((await session.prompt({ ...PROMPT, text: "go" })).stopReason, "end_turn");
    const usage = recorder.of("usage");
    assert.equal(usage[0]?.costAmount, 0.0042);
    assert.deepEqual(usage.at(-1), { kind: "usage", inputTokens: 730, outputTokens: 80, cachedTokens: 120 });
  });

  it("reads the token counts Gemini CLI puts in its prompt response's _meta.quota", async (t) => {
    const recorder = recordingContext(tempDir(t));
    const session = await startAcpSession(inProcessTransport(quotaAgent()), recorder.context);
    t.after(() => session.close());
    assert.equal((await session.prompt({ ...PROMPT, text: "go" })).stopReason, "end_turn");
    assert.deepEqual(recorder.of("usage"), [{ kind: "usage", inputTokens: 900, outputTokens: 150 }]);
  });
});
