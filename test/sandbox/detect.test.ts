import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
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
