import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
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

describe("util/process-identity", () => {
  it("names a live process, and none once it has exited, even unreaped", async (t) => {
    // `true` exits at once; its parent execs into `sleep`, which never reaps it: a zombie.
    const parent = spawn("sh", ["-c", "true & echo $!; exec sleep 60"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    t.after(() => parent.kill("SIGKILL"));
    const [line] = (await once(parent.stdout, "data")) as [Buffer];
    const zombie = Number(line.toString().trim());
    for (let tries = 0; state(zombie) !== "Z"; tries++) {
      assert.ok(tries < 10_000, `process ${zombie} never became a zombie (state ${state(zombie)})`);
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
