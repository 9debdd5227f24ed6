import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { startAcpSession } from "../../src/agents/acp/session.ts";
import { inProcessTransport } from "../../src/agents/acp/transport.ts";
import { createScriptedAgent } from "../../src/agents/scripted/agent.ts";
import {
  DEFAULT_SCENARIO,
  parseScenario,
  type Step,
  stepsForAttempt,
  stepsForReview,
} from "../../src/agents/scripted/scenario.ts";
import { parseVerdict } from "../../src/engine/review/verdict.ts";
import { isGafferError } from "../../src/errors.ts";
import { gitWorkspace, PROMPT, recordingContext } from "./helpers.ts";

const BUILDS_AND_REVIEWS = `
name = "reviewed twice"
[[attempts]]
steps = [{ say = "building" }]

[[reviews]]
steps = [
  { think = "the changelog is empty" },
  { say = '{"verdict": "request-changes", "findings": [{"file": "CHANGELOG.md", "severity": "major", "text": "list it"}]}' },
]

[[reviews]]
steps = [{ say = '{"verdict": "approve"}' }]
`;

const said = (steps: Step[]) => steps.map((s) => (s.kind === "say" ? s.text : s.kind));

function parseError(text: string): string {
  try {
    parseScenario(text, "scenario.toml");
  } catch (error) {
    assert.ok(isGafferError(error));
    assert.equal(error.code, "invalid-input");
    return error.message;
  }
  assert.fail("expected a parse error");
}

describe("agents/scripted/scenario: [[reviews]]", () => {
  test("parses review rounds beside attempts; round N plays reviews[min(N, count) - 1]", () => {
    const scenario = parseScenario(BUILDS_AND_REVIEWS, "scenario.toml");
    assert.equal(scenario.attempts.length, 1);
    assert.equal(scenario.reviews.length, 2);
    assert.deepEqual(
      stepsForReview(scenario, 1).map((s) => s.kind),
      ["think", "say"],
    );
    assert.deepEqual(said(stepsForReview(scenario, 2)), ['{"verdict": "approve"}']);
    assert.deepEqual(said(stepsForReview(scenario, 9)), ['{"verdict": "approve"}'], "the last round repeats");
    // Review steps never leak into the attempts, nor attempts into reviews.
    assert.deepEqual(said(stepsForAttempt(scenario, 2)), ["building"]);
  });

  test("without [[reviews]], the scripted reviewer approves", () => {
    const scenario = parseScenario(`[[attempts]]\nsteps = [{ say = "x" }]\n`, "scenario.toml");
    assert.deepEqual(scenario.reviews, []);
    for (const steps of [
      stepsForReview(scenario, 1),
      stepsForReview(scenario, 4),
      stepsForReview(DEFAULT_SCENARIO, 1),
    ]) {
      assert.equal(steps.length, 1);
      const [say] = steps;
      assert.equal(say?.kind, "say");
      const verdict = parseVerdict(say?.kind === "say" ? say.text : "");
      assert.ok("verdict" in verdict && verdict.verdict === "approve", JSON.stringify(verdict));
    }
  });

  test("a bad review step names its line, round and step", () => {
    const file = (step: string) =>
      `[[attempts]]\nsteps = [{ say = "ok" }]\n\n[[reviews]]\nsteps = [\n  ${step},\n]\n`;
    assert.match(
      parseError(file(`{ sya = "typo" }`)),
      /^scenario\.toml:6: review 1, step 1: unknown step "sya"/,
    );
    assert.equal(
      parseError(file(`{ say = 3 }`)).split(":").slice(0, 3).join(":"),
      'scenario.toml:6: review 1, step 1, "say"',
    );
    assert.equal(
      parseError(file(`{ say = "a", loud = true }`)),
      'scenario.toml:6: review 1, step 1: unknown key "loud"',
    );
    const second = `[[attempts]]\nsteps = []\n[[reviews]]\nsteps = []\n[[reviews]]\nsteps = [\n  { say = "a" },\n  { write = "x" },\n]\n`;
    assert.equal(parseError(second), 'scenario.toml:8: review 2, step 2, "content": is required');
    assert.equal(
      parseError(`[[attempts]]\nsteps = []\n[[reviews]]\nstep = []\n`),
      'scenario.toml:3: review 1, "steps": is required',
    );
    assert.equal(
      parseError(`[[attempts]]\nsteps = []\n[[reviews]]\nsteps = []\nverdict = "approve"\n`),
      'scenario.toml:5: review 1: unknown key "verdict"',
    );
  });

  test("still needs an attempt: a scenario of reviews alone is refused", () => {
    assert.match(parseError(`[[reviews]]\nsteps = []\n`), /^scenario\.toml:1: "attempts": /);
  });

  test("the review example in docs/SCENARIOS.md asks for changes once, then approves", () => {
    const doc = readFileSync(new URL("../../docs/SCENARIOS.md", import.meta.url), "utf8");
    const example = [...doc.matchAll(/```toml\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? "")
      .find((text) => text.includes("[[reviews]]"));
    assert.ok(example, "docs/SCENARIOS.md has a [[reviews]] example");
    const scenario = parseScenario(example, "SCENARIOS.md");
    const verdictOf = (round: number) => {
      const last = stepsForReview(scenario, round).at(-1);
      const parsed = parseVerdict(last?.kind === "say" ? last.text : "");
      return "verdict" in parsed ? parsed.verdict : parsed.error;
    };
    assert.deepEqual([verdictOf(1), verdictOf(2), verdictOf(3)], ["request-changes", "approve", "approve"]);
  });

  test("the agent plays the review round gaffer passes in _meta.gaffer.review, else the attempt", async (t) => {
    const ws = gitWorkspace(t);
    const recorder = recordingContext(ws);
    const app = createScriptedAgent({ scenario: parseScenario(BUILDS_AND_REVIEWS, "scenario.toml") });
    const session = await startAcpSession(inProcessTransport(app), recorder.context);
    t.after(() => session.close());
    const messages = () => recorder.of("message").map((m) => m.text);

    assert.equal((await session.prompt({ ...PROMPT, text: "build" })).stopReason, "end_turn");
    assert.deepEqual(messages(), ["building"]);
    assert.equal((await session.prompt({ ...PROMPT, text: "review", review: 1 })).stopReason, "end_turn");
    assert.deepEqual(
      recorder.of("thought").map((m) => m.text),
      ["the changelog is empty"],
    );
    assert.match(messages()[1] ?? "", /request-changes/);
    await session.prompt({ ...PROMPT, attempt: 2, text: "review again", review: 2 });
    assert.deepEqual(messages()[2], '{"verdict": "approve"}');
  });
});
