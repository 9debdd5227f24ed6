import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { describe, it } from "node:test";
import { isOwnerAlive, ownerToken } from "../../src/engine/index.ts";
import { processStartTime } from "../../src/util/process-identity.ts";

function state(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
  } catch {
    return undefined;
  }
}

function command(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

describe("util/process-identity", () => {
  it("names a live process, and none once it has exited, even unreaped", async (t) => {
    // The child waits for a byte on fd 3; the parent execs into `sleep`, which never reaps it.
    // The byte is sent only once `sleep` runs, so the shell cannot reap the child first.
    const parent = spawn("sh", ["-c", "head -c1 <&3 >/dev/null & echo $!; exec sleep 60"], {
      stdio: ["ignore", "pipe", "ignore", "pipe"],
    });
    t.after(() => parent.kill("SIGKILL"));
    const [line] = (await once(parent.stdout as Readable, "data")) as [Buffer];
    const zombie = Number(line.toString().trim());
    for (let tries = 0; command(parent.pid as number) !== "sleep"; tries++) {
      assert.ok(tries < 100_000, "the parent never became sleep");
      await new Promise((resolve) => setImmediate(resolve));
    }
    (parent.stdio[3] as Writable).write("x");
    for (let tries = 0; state(zombie) !== "Z"; tries++) {
      assert.ok(tries < 100_000, `process ${zombie} never became a zombie (state ${state(zombie)})`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(processStartTime(zombie), undefined);
    assert.ok(processStartTime(parent.pid as number), "the live parent has a start time");
    assert.equal(isOwnerAlive(ownerToken(parent.pid)), true);
    const token = ownerToken(parent.pid);
    parent.kill("SIGKILL");
    await once(parent, "close");
    assert.equal(isOwnerAlive(token), false);
  });
});
