import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startAcpSession } from "../../src/agents/acp/session.ts";
import { inProcessTransport } from "../../src/agents/acp/transport.ts";
import { createScriptedAgent } from "../../src/agents/scripted/agent.ts";
import { parseScenario } from "../../src/agents/scripted/scenario.ts";
import type { AgentSession, CommandPolicy } from "../../src/agents/types.ts";
import {
  gitLog,
  gitWorkspace,
  PROMPT,
  type Recorder,
  recordingContext,
  scenarioBlock,
  stubPolicy,
} from "./helpers.ts";

const HEALS_ON_SECOND_ATTEMPT = `
name = "heals on the second attempt"
[[attempts]]
steps = [
  { say = "I'll fix the bug." },
  { write = "src/add.js", content = "export const add = (a, b) => a - b;\\n" },
  { say = "All tests pass!" },
]
[[attempts]]
steps = [ { edit = "src/add.js", old = "a - b", new = "a + b" }, { run = "grep -q 'a + b' src/add.js", expect_exit = 0 } ]
`;

async function open(
  workspace: string,
  toml?: string,
  policy?: CommandPolicy,
): Promise<Recorder & { session: AgentSession }> {
  const recorder = recordingContext(workspace, policy ? { policy } : {});
  const app = createScriptedAgent(toml ? { scenario: parseScenario(toml, "test.toml") } : {});
  const session = await startAcpSession(inProcessTransport(app), recorder.context);
  return { ...recorder, session };
}

const readAdd = (ws: string) => readFileSync(join(ws, "src/add.js"), "utf8");

describe("agents/scripted (in-process)", () => {
  test("plays a full turn through the client: plan, files, terminal, usage, commit", async (t) => {
    const ws = gitWorkspace(t);
    const { session, updates, of } = await open(
      ws,
      `[[attempts]]
steps = [
  { plan = ["fix add", "commit"] },
  { think = "the sign is wrong" },
  { edit = "src/add.js", old = "a - b", new = "a + b" },
  { read = "src/add.js" },
  { write = "notes/fix.md", content = "fixed\\n" },
  { run = "test -f notes/fix.md", expect_exit = 0 },
  { usage = 5000, size = 200000, cost = 0.12 },
  { commit = "fix add" },
  { say = "Done." },
]`,
    );
    t.after(() => session.close());
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "fix it" }), { stopReason: "end_turn" });
    assert.equal(readAdd(ws), "export const add = (a, b) => a + b;\n");
    assert.deepEqual(gitLog(ws), ["fix add", "initial"]);
    assert.deepEqual(of("plan")[0]?.entries, [
      { content: "fix add", status: "pending" },
      { content: "commit", status: "pending" },
    ]);
    assert.deepEqual(of("thought"), [{ kind: "thought", text: "the sign is wrong" }]);
    assert.deepEqual(
      of("file-write").map((u) => [u.path, u.bytes]),
      [
        ["src/add.js", 36],
        ["notes/fix.md", 6],
      ],
    );
    assert.deepEqual(
      of("file-read").map((u) => u.path),
      ["src/add.js", "src/add.js"],
    );
    assert.deepEqual(
      of("terminal").map((u) => u.exitCode),
      [0, 0],
    );
    assert.deepEqual(of("usage"), [
      { kind: "usage", used: 5000, size: 200000, costAmount: 0.12, costCurrency: "USD" },
    ]);
    assert.deepEqual(of("message").at(-1), { kind: "message", text: "Done." });
    assert.ok(of("tool-call").every((u) => u.status === "in_progress"));
    assert.ok(of("tool-call-update").every((u) => u.status === "completed"));
    assert.ok(updates.length > 15);
  });

  test("commit does nothing when there is nothing to commit", async (t) => {
    const ws = gitWorkspace(t);
    const { session } = await open(ws, `[[attempts]]\nsteps = [{ commit = "empty" }]`);
    t.after(() => session.close());
    assert.equal((await session.prompt({ ...PROMPT, text: "" })).stopReason, "end_turn");
    assert.deepEqual(gitLog(ws), ["initial"]);
  });

  test("the attempt number picks the steps; the last attempt repeats and edits are idempotent", async (t) => {
    const ws = gitWorkspace(t);
    const { session, of } = await open(ws, HEALS_ON_SECOND_ATTEMPT);
    t.after(() => session.close());

    assert.equal((await session.prompt({ ...PROMPT, text: "fix", attempt: 1 })).stopReason, "end_turn");
    // The claim is only a message: nothing in the result says "success", and the bug is still there.
    assert.ok(of("message").some((u) => u.text === "All tests pass!"));
    assert.match(readAdd(ws), /a - b/);

    assert.equal((await session.prompt({ ...PROMPT, text: "fix", attempt: 2 })).stopReason, "end_turn");
    assert.match(readAdd(ws), /a \+ b/);
    const writes = of("file-write").length;

    // Attempt 3 replays attempt 2: the edit is already made, so it changes nothing.
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "fix", attempt: 3 }), {
      stopReason: "end_turn",
    });
    assert.match(readAdd(ws), /a \+ b/);
    assert.equal(of("file-write").length, writes);
  });

  test("an insertion around the old text is applied once, however often it is replayed", async (t) => {
    const ws = gitWorkspace(t);
    const { session } = await open(
      ws,
      `[[attempts]]\nsteps = [{ edit = "src/add.js", old = "export", new = "// added\\nexport" }]`,
    );
    t.after(() => session.close());
    for (const attempt of [1, 1, 2]) {
      assert.equal((await session.prompt({ ...PROMPT, text: "", attempt })).stopReason, "end_turn");
    }
    assert.equal(readAdd(ws).match(/\/\/ added/g)?.length, 1);
  });

  test("an edit whose old and new text are both absent fails the turn", async (t) => {
    const ws = gitWorkspace(t);
    const { session } = await open(
      ws,
      `[[attempts]]\nsteps = [{ edit = "src/add.js", old = "x * y", new = "x / y" }]`,
    );
    t.after(() => session.close());
    const result = await session.prompt({ ...PROMPT, text: "" });
    assert.equal(result.stopReason, "error");
    assert.match(
      result.error ?? "",
      /scenario step 1 \(edit src\/add\.js\): neither the old nor the new text is in src\/add\.js/,
    );
  });

  test("run with expect_exit fails the turn on another exit code", async (t) => {
    const ws = gitWorkspace(t);
    const { session } = await open(
      ws,
      `[[attempts]]\nsteps = [{ run = "exit 4", expect_exit = 0 }, { say = "never" }]`,
    );
    t.after(() => session.close());
    const result = await session.prompt({ ...PROMPT, text: "" });
    assert.equal(result.stopReason, "error");
    assert.match(result.error ?? "", /expected exit code 0, got 4/);
  });

  test("a run the policy denies is reported to the agent, which carries on", async (t) => {
    const ws = gitWorkspace(t);
    const { session, of } = await open(
      ws,
      `[[attempts]]\nsteps = [{ run = "git push origin main" }, { say = "pushed?" }]`,
      stubPolicy("git push"),
    );
    t.after(() => session.close());
    assert.equal((await session.prompt({ ...PROMPT, text: "" })).stopReason, "end_turn");
    assert.deepEqual(of("terminal"), [
      { kind: "terminal", command: "sh -c 'git push origin main'", exitCode: null, denied: "git push" },
    ]);
    assert.match(of("message")[0]?.text ?? "", /refused: .*gaffer policy rule "git push"/);
    assert.deepEqual(
      of("tool-call-update").map((u) => u.status),
      ["failed"],
    );
  });

  test("ask: a denied request stops the turn when on_reject = stop", async (t) => {
    const ws = gitWorkspace(t);
    const { session, of } = await open(
      ws,
      `[[attempts]]\nsteps = [{ ask = "npm install" }, { ask = "git push --force", on_reject = "stop" }, { say = "never" }]`,
      stubPolicy("git push"),
    );
    t.after(() => session.close());
    assert.equal((await session.prompt({ ...PROMPT, text: "" })).stopReason, "end_turn");
    assert.deepEqual(
      of("permission").map((u) => [u.command, u.decision, u.rule]),
      [
        ["npm install", "allow", undefined],
        ["git push --force", "reject", "git push"],
      ],
    );
    assert.equal(of("message").length, 0);
  });

  test("stop ends the turn with its reason; direct_write and shell bypass the client unseen", async (t) => {
    const ws = gitWorkspace(t);
    const { session, updates } = await open(
      ws,
      `[[attempts]]\nsteps = [{ direct_write = "sneaky.txt", content = "x" }, { shell = "touch sneaky2.txt" }, { stop = "refusal" }, { say = "never" }]`,
    );
    t.after(() => session.close());
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "" }), { stopReason: "refusal" });
    assert.ok(existsSync(join(ws, "sneaky.txt")) && existsSync(join(ws, "sneaky2.txt")));
    assert.deepEqual(updates, []);
  });

  test("crash in-process fails the turn", async (t) => {
    const ws = gitWorkspace(t);
    const { session } = await open(ws, `[[attempts]]\nsteps = [{ crash = 3, message = "out of cheese" }]`);
    t.after(() => session.close());
    const result = await session.prompt({ ...PROMPT, text: "" });
    assert.equal(result.stopReason, "error");
    assert.match(result.error ?? "", /scripted agent crashed \(code 3\): out of cheese/);
  });

  test("without a scenario it plays a ```scenario block from the prompt, else says it has nothing to do", async (t) => {
    const ws = gitWorkspace(t);
    const { session, of } = await open(ws);
    t.after(() => session.close());
    await session.prompt({
      ...PROMPT,
      text: scenarioBlock(`[[attempts]]\nsteps = [{ say = "from the block" }]`),
    });
    await session.prompt({ ...PROMPT, text: "plain prompt" });
    assert.deepEqual(
      of("message").map((u) => u.text),
      ["from the block", "The scripted agent has no scenario, so it has nothing to do."],
    );
    const bad = await session.prompt({
      ...PROMPT,
      text: scenarioBlock(`[[attempts]]\nsteps = [{ sya = "x" }]`),
    });
    assert.equal(bad.stopReason, "error");
    assert.match(bad.error ?? "", /prompt scenario block:5: attempt 1, step 1: unknown step "sya"/);
  });
});
