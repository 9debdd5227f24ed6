import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectSandbox } from "../../src/sandbox/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { arena, attack, outsideState } from "./harness.ts";

/** Why the trace cannot be taken here, or undefined when strace works. */
function straceUnavailable(): string | undefined {
  const probe = spawnSync("strace", ["-f", "-o", "/dev/null", "true"], { encoding: "utf8" });
  if (probe.error)
    return `strace is not installed (${probe.error.message}); install it (apt-get install strace)`;
  if (probe.status !== 0) return `strace cannot trace here: ${probe.stderr.trim().split("\n")[0]}`;
  const sandbox = detectSandbox();
  return sandbox.available ? undefined : `no sandbox: ${sandbox.reason}`;
}

/**
 * An open of any kind that returned a descriptor. With `-y` strace prints the file the descriptor
 * really is, so an open of a symlink shows where it led: `openat(…, "ws/AGENTS.md", …) = 5</canary>`.
 */
const SUCCESSFUL_OPEN = /\b(open|openat|openat2|creat)\(.*\) = \d+/;

/**
 * The deputy attacks at the syscall level: every process of a whole run (gaffer, its git, the
 * sandbox and the agent in it) is traced while the agent points AGENTS.md and a file it asks
 * gaffer to read at a canary outside its workspace, then crashes so that gaffer resumes and
 * renders a new brief. The canary is hidden inside the sandbox, so a successful open of it can
 * only be gaffer acting for the agent.
 */
describe("red team: gaffer is nobody's deputy, by strace", () => {
  const unavailable = straceUnavailable();
  it("never opens a path outside the workspace on an agent's behalf", { skip: unavailable }, async (t) => {
    const a = await arena(t);
    const before = outsideState(a);
    const canary = join(a.canary, "canary.txt");
    const trace = join(tempDir(t, "gaffer-trace-"), "trace.txt");
    const plant = `rm -f AGENTS.md planted; ln -s ${canary} AGENTS.md; ln -s ${canary} planted`;
    const scenario = `[[attempts]]\nsteps = [\n  { shell = '${plant}' },\n  { read = "planted" },\n  { crash = 3 },\n]\n`;
    const result = await attack(a, "deputy under strace", scenario, {
      resume: true,
      under: ["strace", "-f", "-y", "-A", "-e", "trace=%file", "-o", trace],
    });
    const lines = readFileSync(trace, "utf8").split("\n");
    const touching = lines.filter((line) => line.includes(a.canary));
    assert.ok(
      touching.some((line) => /symlink/.test(line)),
      `the agent's plant should be in the trace:\n${touching.join("\n")}\n${result.cli.stderr}`,
    );
    assert.ok(
      result.events.filter((e) => e.type === "agent.prompt").length >= 2,
      "gaffer rendered a brief after the plant",
    );
    assert.deepEqual(
      touching.filter((line) => SUCCESSFUL_OPEN.test(line)),
      [],
      "no open of the canary succeeded",
    );
    assert.equal(outsideState(a), before);
  });
  if (unavailable) process.stderr.write(`\nSKIPPED the strace deputy test: ${unavailable}\n`);
});
