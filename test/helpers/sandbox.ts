import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectSandbox } from "../../src/sandbox/index.ts";
import { processStartTime } from "../../src/util/process-identity.ts";

/** Set to 1 (CI does) to make a test that needs bubblewrap fail where there is none, not skip. */
export const REQUIRE_SANDBOX = "GAFFER_REQUIRE_SANDBOX";

/**
 * The `skip` option for tests that need a working bubblewrap: false where there is one, else the
 * reason. Where one is missing, the first test file of a `node --test` run that asks prints one
 * line saying what is skipped and how to run it; with GAFFER_REQUIRE_SANDBOX=1 the missing sandbox
 * throws instead, so the file fails and the whole suite is proven.
 */
export function sandboxSkip(): string | false {
  const { available, reason } = detectSandbox();
  if (available) return false;
  if (process.env[REQUIRE_SANDBOX] === "1")
    throw new Error(`${REQUIRE_SANDBOX}=1 but there is no sandbox to test: ${reason}`);
  announce(reason ?? "bubblewrap is unavailable");
  return `no sandbox here: ${reason}`;
}

/** One line per test runner (the parent of every test file's process), not one per file. */
function announce(reason: string): void {
  const runner = `${process.ppid}-${processStartTime(process.ppid) ?? "0"}`;
  try {
    writeFileSync(join(tmpdir(), `gaffer-sandbox-skip-${runner}`), "", { flag: "wx" });
  } catch {
    return; // another test file of this run has said it
  }
  process.stderr.write(
    `\n*** SKIPPING every test that needs the sandbox: ${reason}. ` +
      `Install bubblewrap to run them; ${REQUIRE_SANDBOX}=1 makes this skip a failure. ***\n\n`,
  );
}
