import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  DEFAULT_SCENARIO,
  loadScenarioFile,
  parseScenario,
  scenarioFromPrompt,
  stepsForAttempt,
} from "../../src/agents/scripted/scenario.ts";
import { isGafferError } from "../../src/errors.ts";
import { tempDir } from "../helpers/tmp.ts";
import { writeScenario } from "./helpers.ts";

const EVERY_STEP = `
name = "every step"
description = "one of each"
[[attempts]]
steps = [
  { say = "hello" },
  { think = "hmm" },
  { plan = ["fix", { content = "test", status = "in_progress", priority = "high" }] },
  { write = "a.txt", content = "a" },
  { edit = "a.txt", old = "a", new = "b" },
  { read = "a.txt" },
  { run = "npm test", expect_exit = 0 },
  { ask = "git push", on_reject = "stop", tool_kind = "edit", locations = ["a.txt"] },
  { commit = "fix it" },
  { usage = 1200, size = 100000, cost = 0.25 },
  { sleep = 5 },
  { stall = true },
  { crash = 3, message = "boom" },
  { direct_write = "/tmp/x", content = "x" },
  { shell = "true" },
  { stop = "refusal" },
]
`;

/** The GafferError message a parse produces. */
function parseError(text: string, source = "s.toml"): string {
  try {
    parseScenario(text, source);
  } catch (error) {
    assert.ok(isGafferError(error));
    assert.equal(error.code, "invalid-input");
    assert.ok(error.hint);
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail("expected a parse error");
}

describe("agents/scripted/scenario", () => {
  test("parses every step kind into its normalized form", () => {
    const scenario = parseScenario(EVERY_STEP, "every.toml");
    assert.equal(scenario.name, "every step");
    const steps = scenario.attempts[0] ?? [];
    assert.deepEqual(
      steps.map((step) => step.kind),
      [
        "say",
        "think",
        "plan",
        "write",
        "edit",
        "read",
        "run",
        "ask",
        "commit",
        "usage",
        "sleep",
        "stall",
        "crash",
        "direct_write",
        "shell",
        "stop",
      ],
    );
    assert.deepEqual(steps[2], {
      kind: "plan",
      entries: [{ content: "fix" }, { content: "test", status: "in_progress", priority: "high" }],
    });
    assert.deepEqual(steps[7], {
      kind: "ask",
      command: "git push",
      onReject: "stop",
      toolKind: "edit",
      locations: ["a.txt"],
    });
    assert.deepEqual(steps[9], { kind: "usage", used: 1200, size: 100000, cost: 0.25, currency: "USD" });
  });

  test("attempt N plays attempts[min(N, count) - 1]", () => {
    const scenario = parseScenario(
      `[[attempts]]\nsteps = [{ say = "one" }]\n[[attempts]]\nsteps = [{ say = "two" }]\n`,
      "s.toml",
    );
    const said = (attempt: number) =>
      stepsForAttempt(scenario, attempt).map((s) => (s.kind === "say" ? s.text : s.kind));
    assert.deepEqual(said(1), ["one"]);
    assert.deepEqual(said(2), ["two"]);
    assert.deepEqual(said(7), ["two"]);
    assert.deepEqual(said(0), ["one"]);
  });

  test("a TOML syntax error names the file and line", () => {
    assert.equal(
      parseError(`name = "x"\n[[attempts]]\nsteps = [\n  { say = "hi" },\n  { say = },\n]\n`),
      "s.toml:5: invalid value",
    );
  });

  test("an unknown step, a missing option, a bad value and an unknown key each name their line", () => {
    const file = (step: string) =>
      `name = "x"\n\n[[attempts]]\nsteps = [{ say = "ok" }]\n\n[[attempts]]\nsteps = [\n  { say = "fine" },\n  ${step},\n]\n`;
    assert.match(
      parseError(file(`{ sya = "typo" }`)),
      /^s\.toml:9: attempt 2, step 2: unknown step "sya"; expected one of: say, think/,
    );
    assert.equal(
      parseError(file(`{ write = "a.txt" }`)),
      `s.toml:9: attempt 2, step 2, "content": is required`,
    );
    assert.match(parseError(file(`{ sleep = -1 }`)), /^s\.toml:9: attempt 2, step 2, "sleep": Too small/);
    assert.equal(
      parseError(file(`{ say = "a", loud = true }`)),
      `s.toml:9: attempt 2, step 2: unknown key "loud"`,
    );
    assert.match(
      parseError(file(`{ say = "a", think = "b" }`)),
      /^s\.toml:9: attempt 2, step 2: a step has exactly one kind/,
    );
    assert.match(
      parseError(file(`{ stop = "whenever" }`)),
      /^s\.toml:9: attempt 2, step 2, "stop": Invalid option/,
    );
  });

  test("top-level mistakes name their line too", () => {
    assert.equal(
      parseError(`name = "x"\ncolour = "red"\n[[attempts]]\nsteps = []\n`),
      `s.toml:2: unknown key "colour"`,
    );
    assert.match(parseError(`name = "x"\n`), /^s\.toml:1: "attempts": /);
    assert.equal(
      parseError(`[[attempts]]\nsteps = [\n]\n[[attempts]]\nstep = []\n`),
      `s.toml:4: attempt 2, "steps": is required`,
    );
  });

  test("loadScenarioFile reports a missing file as invalid input", async (t) => {
    const dir = tempDir(t);
    await assert.rejects(loadScenarioFile(`${dir}/nope.toml`), (error) => {
      assert.ok(isGafferError(error));
      assert.equal(error.code, "invalid-input");
      assert.match(error.message, /nope\.toml: cannot read scenario file \(missing\)/);
      return true;
    });
    execFileSync("mkfifo", [join(dir, "pipe.toml")]);
    await assert.rejects(
      loadScenarioFile(join(dir, "pipe.toml")),
      /pipe\.toml: cannot read scenario file \(fifo\)/,
    );
    const path = writeScenario(dir, `[[attempts]]\nsteps = [{ say = 1 }]\n`);
    await assert.rejects(
      loadScenarioFile(path),
      new RegExp(`^GafferError: ${path}:2: attempt 1, step 1, "say": `),
    );
  });

  test("a ```scenario block in a prompt is found, with prompt line numbers in errors", () => {
    const prompt =
      '# Issue 3\n\nThe sum is wrong.\n\n```scenario\n[[attempts]]\nsteps = [{ say = "on it" }]\n```\n';
    assert.deepEqual(scenarioFromPrompt(prompt)?.attempts, [[{ kind: "say", text: "on it" }]]);
    assert.equal(scenarioFromPrompt("no block here"), undefined);
    assert.throws(
      () => scenarioFromPrompt("intro\n```scenario\n[[attempts]]\nsteps = [{ nope = 1 }]\n```\n"),
      /^GafferError: prompt scenario block:4: attempt 1, step 1: unknown step "nope"/,
    );
  });

  test("the default scenario only says it has nothing to do", () => {
    assert.deepEqual(
      stepsForAttempt(DEFAULT_SCENARIO, 3).map((s) => s.kind),
      ["say"],
    );
  });

  test("every example in docs/SCENARIOS.md parses", () => {
    const doc = readFileSync(new URL("../../docs/SCENARIOS.md", import.meta.url), "utf8");
    const examples = [...doc.matchAll(/```(?:toml|scenario)\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? "")
      .filter((text) => text.includes("steps = ["));
    assert.ok(examples.length >= 7);
    for (const example of examples) parseScenario(example, "SCENARIOS.md");
  });
});
