import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { factoryDirs, startChild } from "../../src/factory/children.ts";
import { listProcesses } from "../helpers/processes.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor } from "../helpers/wait.ts";

const CHILDREN = new URL("../../src/factory/children.ts", import.meta.url).href;

/** A child that records whether its pid file existed when it started working. */
function recorder(pidFile: string, marker: string): string[] {
  const work = `if [ -f "$1" ]; then echo with-pid-file > "$2"; else echo without > "$2"; fi`;
  return ["/bin/sh", "-c", work, "sh", pidFile, marker];
}

describe("factory/children", () => {
  it("writes a child's pid file before the child starts work", async (t) => {
    const dir = tempDir(t);
    const dirs = factoryDirs(join(dir, ".gaffer"));
    const marker = join(dir, "marker");
    const exited = new Promise<number | null>((resolve) => {
      startChild(
        { name: "shop-builder", argv: recorder(join(dirs.pids, "shop-builder.pid"), marker), cwd: dir },
        dirs,
        (code) => resolve(code),
      );
    });
    assert.equal(await exited, 0);
    assert.equal(readFileSync(marker, "utf8"), "with-pid-file\n");
    assert.equal(existsSync(join(dirs.pids, "shop-builder.pid")), false, "removed once it exited");
  });

  it("a child whose supervisor is killed before its pid file is written never starts work", async (t) => {
    const dir = tempDir(t);
    const dirs = factoryDirs(join(dir, ".gaffer"));
    const marker = join(dir, "marker");
    // The supervisor blocks writing the pid file (a FIFO nobody reads) right after the spawn.
    mkdirSync(dirs.pids, { recursive: true });
    execFileSync("mkfifo", [join(dirs.pids, "shop-builder.pid.tmp")]);
    const spec = { name: "shop-builder", argv: recorder("/nonexistent", marker), cwd: dir };
    const script = [
      `const { startChild } = await import(${JSON.stringify(CHILDREN)});`,
      `startChild(${JSON.stringify(spec)}, ${JSON.stringify(dirs)}, () => {});`,
    ].join("\n");
    const supervisor = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
    t.after(() => supervisor.kill("SIGKILL"));
    const child = () => listProcesses().find((p) => p.ppid === supervisor.pid);
    await waitFor(() => child() !== undefined, "the supervisor to start its child");
    const pid = child()?.pid as number;
    supervisor.kill("SIGKILL");
    await waitFor(() => !listProcesses().some((p) => p.pid === pid), `child ${pid} to exit`);
    assert.equal(existsSync(marker), false, "the orphaned child did no work");
  });
});
