import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as acp from "@agentclientprotocol/sdk";
import { startAcpSession } from "../../src/agents/acp/session.ts";
import { inProcessTransport } from "../../src/agents/acp/transport.ts";
import { createAgentDriver } from "../../src/agents/registry.ts";
import type { AgentPreset, AgentSession, SessionContext, TurnResult } from "../../src/agents/types.ts";
import { isGafferError } from "../../src/errors.ts";
import {
  gitWorkspace,
  isAlive,
  PROMPT,
  probeAgent,
  recordingContext,
  SCRIPTED_AGENT_COMMAND,
  until,
  writeScenario,
} from "./helpers.ts";

const STUBBORN = [process.execPath, fileURLToPath(new URL("fixtures/stubborn-agent.ts", import.meta.url))];
const options = { scriptedAgentCommand: SCRIPTED_AGENT_COMMAND, cancelGraceMs: 300 };

function scripted(scenario: string, inProcess: boolean): AgentPreset {
  return { name: "scripted", driver: "scripted", scenario, inProcess };
}

async function start(t: TestContext, preset: AgentPreset, overrides: Partial<SessionContext> = {}) {
  const workspace = gitWorkspace(t);
  const recorder = recordingContext(workspace, overrides);
  const session = await createAgentDriver(preset, options).startSession(recorder.context);
  t.after(() => session.close());
  return { ...recorder, workspace, session };
}

async function timed(work: Promise<TurnResult>): Promise<[TurnResult, number]> {
  const started = Date.now();
  const result = await work;
  return [result, Date.now() - started];
}

const STALL = `[[attempts]]\nsteps = [{ say = "stalling" }, { stall = true }, { say = "never" }]\n`;

describe("agents/acp lifecycle", () => {
  test("a full turn over stdio, attempt by attempt", async (t) => {
    const dir = gitWorkspace(t);
    const file = writeScenario(
      dir,
      `[[attempts]]\nsteps = [{ say = "trying" }, { run = "exit 1" }]\n[[attempts]]\nsteps = [{ edit = "src/add.js", old = "a - b", new = "a + b" }, { commit = "fix add" }]\n`,
    );
    const { session, workspace, of } = await start(t, scripted(file, false));
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "fix", attempt: 1 }), {
      stopReason: "end_turn",
    });
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "fix", attempt: 2 }), {
      stopReason: "end_turn",
    });
    assert.match(readFileSync(join(workspace, "src/add.js"), "utf8"), /a \+ b/);
    assert.deepEqual(of("message"), [{ kind: "message", text: "trying" }]);
    assert.deepEqual(
      of("terminal").map((u) => u.exitCode),
      [1, 0],
    );
    assert.deepEqual(
      of("file-write").map((u) => u.path),
      ["src/add.js"],
    );
  });

  for (const inProcess of [true, false]) {
    test(`stall + cancel returns cancelled (${inProcess ? "in-process" : "stdio"})`, async (t) => {
      const dir = gitWorkspace(t);
      const { session, of } = await start(t, scripted(writeScenario(dir, STALL), inProcess));
      const turn = timed(session.prompt({ ...PROMPT, text: "" }));
      await until(() => of("message").length > 0);
      await session.cancel();
      const [result, ms] = await turn;
      assert.deepEqual(result, { stopReason: "cancelled" });
      assert.ok(ms < 2000, `took ${ms} ms`);
      assert.deepEqual(
        of("message").map((u) => u.text),
        ["stalling"],
      );
    });
  }

  test("a turn past its timeout is cancelled and reports timeout", async (t) => {
    const dir = gitWorkspace(t);
    const { session } = await start(t, scripted(writeScenario(dir, STALL), false), { turnTimeoutMs: 300 });
    const [result, ms] = await timed(session.prompt({ ...PROMPT, text: "" }));
    assert.deepEqual(result, { stopReason: "timeout" });
    assert.ok(ms >= 250 && ms < 3000, `took ${ms} ms`);
  });

  test("an agent that ignores cancel is killed with its whole group after the grace", async (t) => {
    const { session, workspace, of } = await start(t, {
      name: "stubborn",
      driver: "acp",
      command: STUBBORN,
      env: {},
      passEnv: [],
      hosts: [],
    });
    const turn = timed(session.prompt({ ...PROMPT, text: "" }));
    await until(() => of("message").length > 0);
    const [agentPid, sleeperPid] = readFileSync(join(workspace, "pids"), "utf8").split(" ").map(Number);
    await session.cancel();
    const [result, ms] = await turn;
    assert.deepEqual(result, { stopReason: "cancelled" });
    assert.ok(ms >= 250 && ms < 3000, `took ${ms} ms`);
    await until(() => !isAlive(agentPid as number) && !isAlive(sleeperPid as number));
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "" }), {
      stopReason: "error",
      error: "the agent session has ended",
    });
  });

  test("a crash mid-turn returns error with the exit code and stderr tail, without hanging", async (t) => {
    const dir = gitWorkspace(t);
    const file = writeScenario(
      dir,
      `[[attempts]]\nsteps = [{ say = "working" }, { crash = 3, message = "segfault in the frobnicator" }]\n`,
    );
    const { session } = await start(t, scripted(file, false));
    const [result, ms] = await timed(session.prompt({ ...PROMPT, text: "" }));
    assert.equal(result.stopReason, "error");
    assert.match(
      result.error ?? "",
      /^agent exited with code 3; last stderr lines:\n(.*\n)*segfault in the frobnicator$/,
    );
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test("a program that does not exist is agent-unavailable", async (t) => {
    const workspace = gitWorkspace(t);
    const driver = createAgentDriver({
      name: "ghost",
      driver: "acp",
      command: ["no-such-agent-xyz", "--acp"],
      env: {},
      passEnv: [],
      hosts: [],
    });
    await assert.rejects(driver.startSession(recordingContext(workspace).context), (error) => {
      assert.ok(isGafferError(error));
      assert.equal(error.code, "agent-unavailable");
      assert.equal(error.message, "agent command not found: no-such-agent-xyz");
      assert.ok(error.hint);
      return true;
    });
  });

  test("a program that does not speak ACP fails to start with its stderr", async (t) => {
    const workspace = gitWorkspace(t);
    const driver = createAgentDriver({
      name: "mute",
      driver: "acp",
      command: ["sh", "-c", "echo 'no ACP here' >&2; exit 9"],
      env: {},
      passEnv: [],
      hosts: [],
    });
    await assert.rejects(driver.startSession(recordingContext(workspace).context), (error) => {
      assert.ok(isGafferError(error));
      assert.equal(error.code, "agent-failed");
      assert.equal(
        error.message,
        "agent did not start an ACP session: agent exited with code 9; last stderr lines: | no ACP here",
      );
      return true;
    });
  });

  test("close is safe twice and ends the session", async (t) => {
    const dir = gitWorkspace(t);
    const { session } = await start(t, scripted(writeScenario(dir, STALL), false));
    const closing: AgentSession = session;
    await closing.close();
    await closing.close();
    assert.equal((await closing.prompt({ ...PROMPT, text: "" })).stopReason, "error");
  });

  test("once a turn is being cancelled, permission requests are answered cancelled", async (t) => {
    let answer: acp.RequestPermissionOutcome | undefined;
    const app = probeAgent(async ({ client, sessionId, cancelled }) => {
      const say = {
        sessionUpdate: "agent_message_chunk" as const,
        content: { type: "text" as const, text: "waiting" },
      };
      await client.notify(acp.methods.client.session.update, { sessionId, update: say });
      await cancelled;
      const options: acp.PermissionOption[] = [{ optionId: "ok", name: "Allow", kind: "allow_once" }];
      const toolCall = { toolCallId: "1", title: "npm test" };
      ({ outcome: answer } = await client.request(acp.methods.client.session.requestPermission, {
        sessionId,
        toolCall,
        options,
      }));
      return "cancelled";
    });
    const recorder = recordingContext(gitWorkspace(t));
    const session = await startAcpSession(inProcessTransport(app), recorder.context);
    t.after(() => session.close());
    const turn = session.prompt({ ...PROMPT, text: "" });
    await until(() => recorder.of("message").length > 0);
    await session.cancel();
    assert.deepEqual(await turn, { stopReason: "cancelled" });
    assert.deepEqual(answer, { outcome: "cancelled" });
    assert.deepEqual(recorder.of("permission"), [
      { kind: "permission", title: "npm test", command: "npm test", decision: "reject" },
    ]);
  });

  test("an agent that never answers the handshake fails to start after the start timeout", async (t) => {
    const silent = acp
      .agent({ name: "silent" })
      .onRequest(acp.methods.agent.initialize, () => new Promise<never>(() => {}));
    const context = recordingContext(gitWorkspace(t)).context;
    await assert.rejects(startAcpSession(inProcessTransport(silent), context, { startTimeoutMs: 100 }), {
      code: "agent-failed",
      message: "agent did not start an ACP session: ACP connection failed: no answer within 100 ms",
    });
  });
});
