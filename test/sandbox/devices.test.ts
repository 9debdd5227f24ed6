import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createSandbox } from "../../src/sandbox/index.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";
import { runIn, sandboxFixture, tryWrites } from "./fixture.ts";

const READ_ONLY = /: .*(Read-only file system|Permission denied)$/;

/** /dev and /dev/shm are memory: nothing the run's disk budget could see may be written there. */
describe("bwrap sandbox: /dev", { skip: sandboxSkip() }, () => {
  test("/dev is read-only and /dev/shm is the private shm directory on disk", async (t) => {
    const f = sandboxFixture(t);
    const shm = join(f.outside, "shm");
    mkdirSync(shm);
    const sandbox = createSandbox(f.policy({ shm }), "bwrap");
    t.after(() => sandbox.close());
    const script = `${tryWrites(["/dev/planted", "/dev/shm/segment"])}; echo discarded > /dev/null && echo "null: ok"`;
    const result = await runIn(sandbox, script, { cwd: f.workspace, env: f.env });
    const [dev, segment, devNull] = result.output.trim().split("\n");
    assert.match(dev ?? "", READ_ONLY);
    assert.equal(segment, "/dev/shm/segment: ok");
    assert.equal(devNull, "null: ok");
    assert.equal(readFileSync(join(shm, "segment"), "utf8"), "");
  });

  test("without a shm directory, /dev/shm cannot be written", async (t) => {
    const f = sandboxFixture(t);
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const result = await runIn(sandbox, tryWrites(["/dev/shm/segment"]), { cwd: f.workspace, env: f.env });
    assert.match(result.output.trim(), READ_ONLY);
  });
});
