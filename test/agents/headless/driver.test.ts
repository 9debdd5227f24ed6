import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { createAgentDriver } from "../../../src/agents/registry.ts";
import type { AgentPreset, HeadlessFormat } from "../../../src/agents/types.ts";
import { isGafferError } from "../../../src/errors.ts";
import { commandPolicy } from "../../../src/guard/index.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { PROMPT, recordingContext } from "../helpers.ts";
import type { Usage } from "../../../src/agents/headless/stream.ts";
import { fixturePath, replay } from "./replay.ts";

/** What the recorded claude transcript used, as its parser totals it. */
const CLAUDE_USAGE = replay("claude").summary.usage as Usage;

/** A session of a headless preset whose CLI is a shell script of that name, first on PATH. */
async function start(t: TestContext, format: HeadlessFormat, script: string, model?: string) {
  const bin = tempDir(t, "gaffer-bin-");
  writeFileSync(join(bin, format), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  const workspace = tempDir(t, "gaffer-ws-");
  const recorder = recordingContext(workspace);
  recorder.context.env = { ...recorder.context.env, PATH: `${bin}:${process.env.PATH}` };
  const preset: AgentPreset = {
    name: `${format}-headless`,
    driver: "headless",
    format,
    program: format,
    passEnv: [],
    hosts: [],
    ...(model !== undefined && { model }),
  };
  const session = await createAgentDriver(preset).startSession(recorder.context);
  t.after(() => session.close());
  return { ...recorder, session, workspace };
}

describe("agents/headless driver", () => {
  test("codex: a command its own rules declined is a refusal, named by gaffer's rule for it", async (t) => {
    const declined = (id: string, command: string) =>
      JSON.stringify({
        type: "item.completed",
        item: {
          id,
          type: "command_execution",
          command,
          aggregated_output: "",
          exit_code: null,
          status: "declined",
        },
      });
    const lines = [declined("c1", "git push origin HEAD:main"), declined("c2", "rm -rf build")];
    const { session, of, context } = await start(t, "codex", `printf '%s\\n' '${lines.join("' '")}'`);
    context.policy = commandPolicy("gaffer/1-ship");
    await session.prompt({ ...PROMPT, text: "Ship it." });
    assert.deepEqual(of("terminal"), [
      {
        kind: "terminal",
        command: "git push origin HEAD:main",
        exitCode: null,
        denied: "git push (the agent's own rules)",
      },
      { kind: "terminal", command: "rm -rf build", exitCode: null, denied: "the agent's own rules" },
    ]);
  });

  test("claude: the transcript's updates arrive in order, the totals last, and the turn ends end_turn", async (t) => {
    const { session, updates, workspace } = await start(
      t,
      "claude",
      `printf '%s\\n' "$@" > args.txt; cat '${fixturePath("claude")}'`,
      "claude-sonnet-4-5",
    );
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "Fix issue 3." }), { stopReason: "end_turn" });
    assert.deepEqual(updates, [...replay("claude").updates, { kind: "usage", ...CLAUDE_USAGE }]);
    const args = readFileSync(join(workspace, "args.txt"), "utf8").trim().split("\n");
    assert.deepEqual(args, [
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--permission-mode",
      "bypassPermissions",
      "--model",
      "claude-sonnet-4-5",
    ]);
  });

  test("the prompt goes to stdin, and usage adds up over the turns of a session", async (t) => {
    const { session, of, workspace } = await start(
      t,
      "claude",
      `cat > prompt.txt; cat '${fixturePath("claude")}'`,
    );
    await session.prompt({ ...PROMPT, text: "Fix issue 3.\nThe sum is wrong." });
    assert.equal(readFileSync(join(workspace, "prompt.txt"), "utf8"), "Fix issue 3.\nThe sum is wrong.");
    await session.prompt({ ...PROMPT, text: "Again.", attempt: 2 });
    assert.deepEqual(of("usage").at(-1), {
      kind: "usage",
      inputTokens: 2 * CLAUDE_USAGE.inputTokens,
      outputTokens: 2 * CLAUDE_USAGE.outputTokens,
      cachedTokens: 2 * CLAUDE_USAGE.cachedTokens,
      costAmount: 2 * (CLAUDE_USAGE.costAmount ?? 0),
      costCurrency: "USD",
    });
  });

  test("a non-zero exit after an error event is an error with that event's text", async (t) => {
    const { session } = await start(
      t,
      "codex",
      `echo '{"type":"thread.started","thread_id":"t1"}'
       echo '{"type":"error","message":"stream disconnected before completion"}'
       exit 2`,
    );
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "" }), {
      stopReason: "error",
      error: "stream disconnected before completion",
    });
  });

  test("without an error event, the last stderr line is the error", async (t) => {
    const { session, of } = await start(
      t,
      "gemini",
      `echo starting >&2; echo 'Error: no auth type set' >&2; exit 41`,
    );
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "" }), {
      stopReason: "error",
      error: "Error: no auth type set",
    });
    assert.deepEqual(
      of("output").map((u) => u.text),
      ["starting", "Error: no auth type set"],
    );
  });

  test("opencode gets the prompt as its last argument, after --", async (t) => {
    const { session, workspace } = await start(
      t,
      "opencode",
      `printf '%s\\n' "$@" > args.txt`,
      "anthropic/claude",
    );
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "-fix it" }), { stopReason: "end_turn" });
    const args = readFileSync(join(workspace, "args.txt"), "utf8").trim().split("\n");
    assert.deepEqual(args, ["run", "--format", "json", "-m", "anthropic/claude", "--", "-fix it"]);
  });

  test("a CLI that is not installed is agent-unavailable", async (t) => {
    const workspace = tempDir(t, "gaffer-ws-");
    const preset: AgentPreset = {
      name: "x",
      driver: "headless",
      format: "codex",
      program: "no-such-codex-xyz",
      passEnv: [],
      hosts: [],
    };
    await assert.rejects(
      createAgentDriver(preset).startSession(recordingContext(workspace).context),
      (error) => {
        assert.ok(isGafferError(error));
        assert.equal(error.code, "agent-unavailable");
        return true;
      },
    );
  });
});
