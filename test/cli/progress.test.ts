import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { RunProgress } from "../../src/cli/progress.ts";
import type { RunNotice } from "../../src/engine/index.ts";
import { denialWeight } from "../../src/guard/index.ts";

/** The plain (not live) progress of a run fed `notices`, as the lines it printed. */
function printed(notices: { type: string; data: Record<string, unknown> }[]): string[] {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  const progress = new RunProgress({ live: false, out });
  for (const notice of notices) progress.onNotice({ runId: 7, at: 0, ...notice } as RunNotice);
  progress.stop();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.replace(/^\[\s*\S+\] /, ""));
}

describe("cli/progress: refusals, weighed", () => {
  it("weighs a refusal by the rule that refused it, whatever its wording", () => {
    const table: [string, ReturnType<typeof denialWeight>][] = [
      ["git push", "escape"],
      ["ref update", "escape"],
      ['command denied by gaffer policy rule "git update-ref"', "escape"],
      ["git config", "probe"],
      ["git checkout", "other"],
      ["outside the workspace", "other"],
    ];
    for (const [rule, weight] of table) assert.equal(denialWeight(rule), weight, rule);
  });

  it("shows a push loudly from every layer, and an agent's settings probes once", () => {
    const lines = printed([
      { type: "guard.denied", data: { rule: "git config", argv: ["-c", "core.hooksPath=/x", "status"] } },
      { type: "guard.denied", data: { rule: "git config", argv: ["-c", "core.hooksPath=/x", "log"] } },
      { type: "guard.denied", data: { rule: "git config", argv: ["-c", "core.hooksPath=/x", "diff"] } },
      { type: "guard.denied", data: { rule: "git push", argv: ["push"] } },
      { type: "agent.terminal", data: { command: "git push origin HEAD", denied: "git push" } },
      { type: "agent.permission", data: { decision: "reject", title: "git push --force", rule: "git push" } },
      { type: "agent.permission", data: { decision: "allow", title: "ls" } },
      { type: "guard.denied", data: { rule: "git checkout", argv: ["checkout", "-b", "x"] } },
    ]);
    assert.deepEqual(lines, [
      "denied git config: an agent's own git settings, harmless; further ones are only counted",
      "REFUSED: the agent tried git push",
      "REFUSED: the agent tried git push origin HEAD (git push)",
      "REFUSED: the agent tried git push --force (git push)",
      "denied by gaffer policy: git checkout",
    ]);
  });

  it("prints no raw event names for what it does not describe", () => {
    const lines = printed([
      { type: "agent.usage", data: { inputTokens: 3 } },
      { type: "agent.prompt", data: { attempt: 1 } },
    ]);
    assert.deepEqual(lines, []);
  });
});
