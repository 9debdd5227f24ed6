import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { CommandDriver } from "../../src/agents/command/driver.ts";
import type { SessionContext } from "../../src/agents/types.ts";
import { isGafferError } from "../../src/errors.ts";
import { tempDir } from "../helpers/tmp.ts";
import { isAlive, PROMPT, recordingContext, until } from "./helpers.ts";

async function start(t: TestContext, template: string, overrides: Partial<SessionContext> = {}) {
  const workspace = tempDir(t, "gaffer-ws-");
  const recorder = recordingContext(workspace, overrides);
  const session = await new CommandDriver("cli", template).startSession(recorder.context);
  t.after(() => session.close());
  const lines = () => recorder.of("output").map((u) => u.text);
  return { ...recorder, workspace, session, lines };
}

const TEXT = "Fix issue 3.\nThe sum is wrong.";

describe("agents/command driver", () => {
  test("{prompt_file}: the prompt goes to a temporary .md file, removed afterwards", async (t) => {
    const { session, lines } = await start(
      t,
      `sh -c 'echo "$0"; echo "$1"; cat "$0"; echo; echo "attempt $GAFFER_ATTEMPT"' {prompt_file} --file={prompt_file}`,
    );
    assert.deepEqual(await session.prompt({ ...PROMPT, text: TEXT, attempt: 2 }), { stopReason: "end_turn" });
    const [path, flag, ...rest] = lines();
    assert.match(path ?? "", /gaffer-prompt-.*\/prompt\.md$/);
    assert.equal(flag, `--file=${path}`);
    assert.deepEqual(rest, ["Fix issue 3.", "The sum is wrong.", "attempt 2"]);
    assert.ok(!existsSync(path ?? ""));
  });

  test("without {prompt_file} the prompt is piped on stdin, in the workspace, without a shell", async (t) => {
    const { session, lines, workspace } = await start(
      t,
      `sh -c 'cat; echo; pwd; echo "$0"' '$HOME; echo injected'`,
    );
    assert.deepEqual(await session.prompt({ ...PROMPT, text: TEXT }), { stopReason: "end_turn" });
    assert.deepEqual(lines(), ["Fix issue 3.", "The sum is wrong.", workspace, "$HOME; echo injected"]);
  });

  test("a non-zero exit is an error naming the code", async (t) => {
    const { session, lines } = await start(t, `sh -c "echo 'All tests pass!'; exit 3"`);
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "" }), {
      stopReason: "error",
      error: "agent command exited with code 3",
    });
    assert.deepEqual(lines(), ["All tests pass!"]);
  });

  test("an agent killed by a signal gaffer did not send says which, directly or through a shell", async (t) => {
    const killed = await start(t, `sh -c 'kill -9 $$'`);
    assert.deepEqual(await killed.session.prompt({ ...PROMPT, text: "" }), {
      stopReason: "error",
      error: "agent command was killed by SIGKILL",
      killedBy: "SIGKILL",
    });
    const wrapped = await start(t, `sh -c "exit 137"`);
    assert.deepEqual(await wrapped.session.prompt({ ...PROMPT, text: "" }), {
      stopReason: "error",
      error: "agent command exited with code 137",
      killedBy: "SIGKILL",
    });
  });

  test("the turn timeout kills the whole process group", async (t) => {
    const { session, workspace } = await start(t, `sh -c 'sleep 30 & echo $! > sleeper.pid; wait'`, {
      turnTimeoutMs: 300,
    });
    assert.deepEqual(await session.prompt({ ...PROMPT, text: "" }), { stopReason: "timeout" });
    const pid = Number(readFileSync(join(workspace, "sleeper.pid"), "utf8"));
    await until(() => !isAlive(pid));
  });

  test("cancel stops a running command", async (t) => {
    const { session, workspace } = await start(t, `sh -c 'echo $$ > sh.pid; exec sleep 30'`);
    const turn = session.prompt({ ...PROMPT, text: "" });
    await until(() => existsSync(join(workspace, "sh.pid")));
    await session.cancel();
    assert.deepEqual(await turn, { stopReason: "cancelled" });
  });

  test("a program that cannot be found is agent-unavailable", async (t) => {
    const workspace = tempDir(t, "gaffer-ws-");
    for (const template of ["no-such-cli-xyz --print", "./missing.sh {prompt_file}"]) {
      await assert.rejects(
        new CommandDriver("cli", template).startSession(recordingContext(workspace).context),
        (error) => {
          assert.ok(isGafferError(error));
          assert.equal(error.code, "agent-unavailable");
          assert.match(error.message, /^agent command not found: (no-such-cli-xyz|\.\/missing\.sh)$/);
          return true;
        },
      );
    }
  });

  test("a template with an unterminated quote is invalid input", async (t) => {
    const workspace = tempDir(t, "gaffer-ws-");
    await assert.rejects(
      new CommandDriver("cli", `agent "--oops`).startSession(recordingContext(workspace).context),
      {
        code: "invalid-input",
        message: "agent cli: bad command template: unterminated double quote",
      },
    );
  });
});
