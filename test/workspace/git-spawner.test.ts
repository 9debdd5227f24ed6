import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { projectGit, projectGitResult, startGitSpawner } from "../../src/workspace/index.ts";
import { gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor } from "../helpers/wait.ts";

/** This process's children whose command line names the git spawner. */
function spawnerPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return (
          ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("git-spawner-process")
        );
      } catch {
        return false; // gone
      }
    })
    .map(Number);
}

/** git's parent pid, as git's own alias shell sees it. */
async function parentOfGit(dir: string): Promise<number> {
  return Number(await projectGit(dir, ["-c", "alias.parent=!ps -o ppid= -p $PPID", "parent"]));
}

// Each test file runs in a process of its own: starting the spawner here changes only this file's git.
describe("git through a spawner process", () => {
  it("starts git from the spawner, not from this process, with the same answers", async (t) => {
    const dir = gitRepo(t, { "a.txt": "a\n" });
    const direct = await projectGit(dir, ["rev-parse", "HEAD"]);
    assert.equal(await parentOfGit(dir), process.pid);
    startGitSpawner();
    const [spawner] = spawnerPids();
    assert.ok(spawner, "a spawner process runs");
    assert.equal(await parentOfGit(dir), spawner);
    assert.equal(await projectGit(dir, ["rev-parse", "HEAD"]), direct);
    const hashed = await projectGitResult(dir, ["hash-object", "--stdin"], { input: Buffer.from("a\n") });
    assert.equal(hashed.stdout.toString().trim(), await projectGit(dir, ["rev-parse", "HEAD:a.txt"]));
    assert.ok(Buffer.isBuffer(hashed.stdout));
    const failed = await projectGitResult(dir, ["rev-parse", "--verify", "no-such-ref"]);
    assert.equal(failed.exitCode, 128);
    assert.match(failed.stderr, /Needed a single revision/);
    const cut = await projectGitResult(dir, ["cat-file", "blob", "HEAD:a.txt"], { maxStdoutBytes: 1 });
    assert.deepEqual([cut.stdout.toString(), cut.truncated], ["a", true]);
  });

  it("stops git on abort and on timeout", async (t) => {
    const dir = gitRepo(t, { "a.txt": "a\n" });
    startGitSpawner();
    const wait = ["-c", "alias.wait=!sleep 60", "wait"];
    const controller = new AbortController();
    const aborted = projectGitResult(dir, wait, { signal: controller.signal });
    controller.abort();
    assert.equal((await aborted).exitCode, null);
    const late = await projectGitResult(dir, wait, { timeoutMs: 100 });
    assert.deepEqual([late.exitCode, late.timedOut], [null, true]);
  });

  it("fails what the spawner was running when it dies, then starts git itself", async (t) => {
    const dir = gitRepo(t, { "a.txt": "a\n" });
    startGitSpawner();
    const [spawner] = spawnerPids();
    assert.ok(spawner);
    // git waits on a FIFO until the test lets it go: nothing is left running after the test.
    const scratch = tempDir(t);
    const [started, gate] = [join(scratch, "started"), join(scratch, "gate")];
    execFileSync("mkfifo", [gate]);
    const running = projectGitResult(dir, [
      "-c",
      `alias.wait=!touch ${started}; read line < ${gate}`,
      "wait",
    ]);
    await waitFor(() => existsSync(started), "git to start");
    process.kill(spawner, "SIGKILL");
    const lost = await running;
    writeFileSync(gate, "go\n");
    assert.equal(lost.exitCode, null);
    assert.match(lost.stderr, /ended before git did/);
    assert.equal(await parentOfGit(dir), process.pid);
  });
});
