import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSandbox } from "../../src/sandbox/index.ts";
import { runIn, sandboxFixture } from "./fixture.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

const SCRIPT = [
  'echo "SECRET_TOKEN=${SECRET_TOKEN-unset}"',
  'echo "PATH=${PATH:+set}"',
  'echo "GAFFER_RUN_ID=$GAFFER_RUN_ID"',
  'echo "HOME=$HOME"',
  'echo "TMPDIR=$TMPDIR"',
].join("\n");

for (const kind of ["bwrap", "none"] as const) {
  describe(`${kind} sandbox: environment`, { skip: kind === "bwrap" && sandboxSkip() }, () => {
    test("only allowlisted variables pass; the policy's own and the private HOME/TMPDIR are set", async (t) => {
      const f = sandboxFixture(t);
      const sandbox = createSandbox(f.policy(), kind);
      t.after(() => sandbox.close());
      const result = await runIn(sandbox, SCRIPT, { cwd: f.workspace, env: f.env });
      assert.deepEqual(result.output.trim().split("\n"), [
        "SECRET_TOKEN=unset",
        "PATH=set",
        "GAFFER_RUN_ID=1",
        `HOME=${f.home}`,
        `TMPDIR=${kind === "bwrap" ? "/tmp" : f.tmp}`,
      ]);
    });

    test("the wrapped environment holds nothing but the allowlist, the policy's and the fixed variables", (t) => {
      const f = sandboxFixture(t);
      const sandbox = createSandbox(f.policy(), kind);
      t.after(() => sandbox.close());
      const { env } = sandbox.wrap(["true"], { cwd: f.workspace, env: { ...f.env, LANG: "C.UTF-8" } });
      assert.deepEqual(Object.keys(env).sort(), ["GAFFER_RUN_ID", "HOME", "LANG", "PATH", "TMPDIR"]);
    });
  });
}

test("none sandbox: the command is left as it is", (t) => {
  const f = sandboxFixture(t);
  const sandbox = createSandbox(f.policy(), "none");
  assert.equal(sandbox.kind, "none");
  assert.deepEqual(sandbox.wrap(["npm", "test"], { cwd: f.workspace }).argv, ["npm", "test"]);
});
