import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AgentKilled, failureCause } from "../../src/engine/failure.ts";
import { GafferError } from "../../src/errors.ts";
import { checked } from "../../src/workspace/git.ts";

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

describe("engine/failure", () => {
  it("puts a machine short of disk, memory or file handles down to the infrastructure", () => {
    for (const code of ["ENOSPC", "EDQUOT", "EIO", "ENOMEM", "EMFILE", "ENFILE"])
      assert.equal(failureCause(errno(code)), "infrastructure", code);
    const wrapped = new GafferError("git-failed", "setup failed", undefined, { cause: errno("ENOSPC") });
    assert.equal(failureCause(wrapped), "infrastructure");
  });

  it("reads a full disk from git's own words", () => {
    const clone = () =>
      checked(
        {
          exitCode: 128,
          stdout: Buffer.from(""),
          stderr: "fatal: write error: No space left on device\n",
          timedOut: false,
        },
        ["clone"],
        "/ws",
      );
    assert.throws(clone, (error) => failureCause(error) === "infrastructure");
    const refused = () =>
      checked(
        { exitCode: 1, stdout: Buffer.from(""), stderr: "fatal: bad object\n", timedOut: false },
        ["fetch"],
        "/ws",
      );
    assert.throws(refused, (error) => failureCause(error) === "agent");
  });

  it("puts an agent killed by a signal, a sandbox or a store that would not work down to the infrastructure", () => {
    const killed = new GafferError("agent-failed", "agent failed on attempt 1", undefined, {
      cause: new AgentKilled("SIGKILL"),
    });
    assert.equal(failureCause(killed), "infrastructure");
    assert.equal(failureCause(new GafferError("sandbox-unavailable", "no sandbox")), "infrastructure");
    assert.equal(failureCause(new GafferError("store-unavailable", "disk full")), "infrastructure");
  });

  it("puts everything else down to the agent", () => {
    for (const code of [
      "limit-exceeded",
      "integrity",
      "workspace-tampered",
      "agent-failed",
      "git-failed",
    ] as const)
      assert.equal(failureCause(new GafferError(code, "no")), "agent", code);
    assert.equal(failureCause(new Error("something broke")), "agent");
    assert.equal(failureCause(errno("ENOENT")), "agent");
    assert.equal(failureCause("a string"), "agent");
    const loop = new Error("a cause that loops");
    loop.cause = loop;
    assert.equal(failureCause(loop), "agent");
  });
});
