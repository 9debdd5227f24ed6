import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { repoLockPath, withRepoLock } from "../../src/workspace/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const LOCK_MODULE = new URL("../../src/workspace/lock.ts", import.meta.url).pathname;

function plantLock(project: string, content: string): string {
  const path = repoLockPath(project);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe("workspace/lock", () => {
  it("runs one holder at a time within a process, in call order", async (t) => {
    const project = tempDir(t);
    let active = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        withRepoLock(project, async () => {
          active += 1;
          assert.equal(active, 1);
          assert.match(readFileSync(repoLockPath(project), "utf8"), new RegExp(`^${process.pid} `));
          await sleep(5);
          order.push(n);
          active -= 1;
        }),
      ),
    );
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
    assert.equal(existsSync(repoLockPath(project)), false);
  });

  it("releases the lock when the holder throws", async (t) => {
    const project = tempDir(t);
    await assert.rejects(
      withRepoLock(project, async () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await withRepoLock(project, async () => "next"), "next");
  });

  it("takes over a lock whose owner is dead or whose pid was reused", async (t) => {
    const project = tempDir(t);
    const dead = spawnSync("true").pid;
    plantLock(project, `${dead} 12345\n`);
    assert.equal(await withRepoLock(project, async () => "taken", { timeoutMs: 2000 }), "taken");
    plantLock(project, `${process.pid} 1\n`);
    assert.equal(await withRepoLock(project, async () => "reused", { timeoutMs: 2000 }), "reused");
  });

  it("times out on a live owner, naming its pid", async (t) => {
    const project = tempDir(t);
    const owner = spawn("sleep", ["30"]);
    t.after(() => owner.kill());
    const path = plantLock(project, `${owner.pid} ?\n`);
    await assert.rejects(
      withRepoLock(project, async () => {}, { timeoutMs: 150 }),
      {
        code: "git-failed",
        message: new RegExp(`waiting for ${path}, held by pid ${owner.pid}`),
      },
    );
  });

  it("waits for a holder in another process", async (t) => {
    const project = tempDir(t);
    const log = join(project, "log");
    const script = `
      import { appendFileSync } from "node:fs";
      import { withRepoLock } from ${JSON.stringify(LOCK_MODULE)};
      await withRepoLock(${JSON.stringify(project)}, async () => {
        appendFileSync(${JSON.stringify(log)}, "child-in\\n");
        await new Promise((resolve) => setTimeout(resolve, 300));
        appendFileSync(${JSON.stringify(log)}, "child-out\\n");
      });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    while (!existsSync(log)) await sleep(10);
    await withRepoLock(project, async () => writeFileSync(log, `${readFileSync(log, "utf8")}parent\n`));
    assert.equal(await exited, 0);
    assert.equal(readFileSync(log, "utf8"), "child-in\nchild-out\nparent\n");
  });
});
