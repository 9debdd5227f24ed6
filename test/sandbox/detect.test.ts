import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { GafferError } from "../../src/errors.ts";
import { requireBwrap } from "../../src/sandbox/detect.ts";
import { detectSandbox } from "../../src/sandbox/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

/** A stand-in bwrap that reports a version, then fails every sandbox with `stderr`. */
function fakeBwrap(dir: string, stderr: string): string {
  const path = join(dir, "bwrap");
  writeFileSync(
    path,
    `#!/bin/sh\n[ "$1" = --version ] && { echo "bubblewrap 0.8.0"; exit 0; }\ncat >&2 <<'END'\n${stderr}\nEND\nexit 1\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

test("bubblewrap works on this machine", { skip: sandboxSkip() }, () => {
  assert.deepEqual(detectSandbox(), { available: true });
});

test("a missing bwrap says how to install it", () => {
  const env = { PATH: "/nonexistent" };
  assert.deepEqual(detectSandbox(env), {
    available: false,
    reason: "bubblewrap is not installed: apt-get install bubblewrap",
  });
  assert.throws(() => requireBwrap(env), GafferError);
});

test("a bwrap refused a user namespace says user namespaces are disabled", (t) => {
  const bwrap = fakeBwrap(
    tempDir(t),
    "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.",
  );
  const availability = detectSandbox({ GAFFER_BWRAP: bwrap });
  assert.equal(availability.available, false);
  assert.match(availability.reason ?? "", /^user namespaces are disabled/);
});

test("any other bwrap failure is reported with its message", (t) => {
  const bwrap = fakeBwrap(tempDir(t), "bwrap: Can't mount proc on /newroot/proc: Device or resource busy");
  assert.match(
    detectSandbox({ GAFFER_BWRAP: bwrap }).reason ?? "",
    /^bubblewrap does not work here .*mount proc/,
  );
});

test("other systems are not Linux", () => {
  assert.match(detectSandbox(process.env, "darwin").reason ?? "", /^not Linux/);
});

/** A stand-in bwrap that logs each start to `log` and works (or fails every sandbox). */
function loggingBwrap(dir: string, log: string, works: boolean): string {
  const path = join(dir, "bwrap");
  writeFileSync(
    path,
    `#!/bin/sh\necho "$1" >> '${log}'\n[ "$1" = --version ] && { echo "bubblewrap 0.8.0"; exit 0; }\n${works ? "exit 0" : "echo 'bwrap: broken' >&2; exit 1"}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/**
 * Detection in a fresh gaffer process, as each CLI command makes it: a read command's
 * (`detectSandbox`) or a run's, which requires the sandbox (`requireBwrap`).
 */
function detectInNewProcess(
  bwrap: string,
  cache: string,
  how: "read" | "run" = "run",
): { available: boolean } {
  const module = new URL("../../src/sandbox/detect.ts", import.meta.url).href;
  const call =
    how === "read"
      ? "detectSandbox()"
      : "(() => { try { requireBwrap(); return { available: true }; } catch { return { available: false }; } })()";
  const out = execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { detectSandbox, requireBwrap } from "${module}"; console.log(JSON.stringify(${call}));`,
    ],
    { env: { PATH: process.env.PATH, GAFFER_BWRAP: bwrap, XDG_CACHE_HOME: cache }, encoding: "utf8" },
  );
  return JSON.parse(out) as { available: boolean };
}

const starts = (log: string) =>
  existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0;

test("a working bwrap is remembered between processes, and probed again once the binary changes", (t) => {
  const dir = tempDir(t);
  const log = join(dir, "starts.log");
  const bwrap = loggingBwrap(dir, log, true);
  assert.deepEqual(detectInNewProcess(bwrap, join(dir, "cache"), "read"), { available: true });
  assert.equal(starts(log), 2, "a read command probes: --version, then a sandbox");
  assert.equal(existsSync(join(dir, "cache")), false, "and writes nothing");
  assert.deepEqual(detectInNewProcess(bwrap, join(dir, "cache")), { available: true });
  assert.equal(starts(log), 4, "a run probes too, and remembers");
  assert.deepEqual(detectInNewProcess(bwrap, join(dir, "cache"), "read"), { available: true });
  assert.equal(starts(log), 4, "the next one starts nothing");

  writeFileSync(bwrap, `${readFileSync(bwrap, "utf8")}# upgraded\n`);
  assert.deepEqual(detectInNewProcess(bwrap, join(dir, "cache")), { available: true });
  assert.equal(starts(log), 6, "a changed binary is probed again");
});

test("a bwrap that does not work is probed again by every process", (t) => {
  const dir = tempDir(t);
  const log = join(dir, "starts.log");
  const bwrap = loggingBwrap(dir, log, false);
  assert.equal(detectInNewProcess(bwrap, join(dir, "cache")).available, false);
  assert.equal(detectInNewProcess(bwrap, join(dir, "cache")).available, false);
  assert.equal(starts(log), 4);
});

test("a remembered answer that is not gaffer's own is ignored", (t) => {
  const dir = tempDir(t);
  const log = join(dir, "starts.log");
  const bwrap = loggingBwrap(dir, log, false);
  mkdirSync(join(dir, "cache", "gaffer"), { recursive: true });
  writeFileSync(
    join(dir, "cache", "gaffer", "bwrap-probe.json"),
    JSON.stringify({ key: "forged", disableUserns: true }),
  );
  assert.equal(detectInNewProcess(bwrap, join(dir, "cache")).available, false);
});

test("a remembered answer that is a FIFO or a link is neither waited on nor followed", (t) => {
  const dir = tempDir(t);
  const bwrap = loggingBwrap(dir, join(dir, "starts.log"), true);
  const cache = join(dir, "cache", "gaffer");
  mkdirSync(cache, { recursive: true });
  execFileSync("mkfifo", [join(cache, "bwrap-probe.json")]);
  assert.deepEqual(detectInNewProcess(bwrap, join(dir, "cache"), "read"), { available: true });
  rmSync(join(cache, "bwrap-probe.json"));
  writeFileSync(join(dir, "elsewhere.txt"), "untouched\n");
  symlinkSync(join(dir, "elsewhere.txt"), join(cache, "bwrap-probe.json"));
  assert.deepEqual(detectInNewProcess(bwrap, join(dir, "cache")), { available: true });
  assert.equal(
    readFileSync(join(dir, "elsewhere.txt"), "utf8"),
    "untouched\n",
    "the link's target is not written",
  );
});
