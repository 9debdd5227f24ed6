import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderReviewBrief, type ReviewBriefInput } from "../../src/engine/review/brief.ts";
import { findingsText, parseVerdict, VERDICT_SCHEMA } from "../../src/engine/review/verdict.ts";

const FINDING = { file: "src/calc.js", line: 12, severity: "major", text: "divide(1, 0) returns Infinity" };
const CHANGES = { verdict: "request-changes", summary: "One bug.", findings: [FINDING] };

const fenced = (value: unknown) => `\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``;

/** The error a message gets, failing the test if it parses. */
function errorOf(message: string): string {
  const parsed = parseVerdict(message);
  assert.ok("error" in parsed, `expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.error;
}

describe("engine/review/verdict", () => {
  it("reads the verdict in a fenced json block after the reviewer's prose", () => {
    const message = `I read the diff and ran nothing.\n\n${fenced(CHANGES)}\n\nThat is all.`;
    assert.deepEqual(parseVerdict(message), {
      verdict: "request-changes",
      summary: "One bug.",
      findings: [FINDING],
    });
  });

  it("takes the last fenced block, falling back to an earlier one when the last is not a verdict", () => {
    const twice = `${fenced({ verdict: "request-changes", findings: [FINDING] })}\nOn reflection:\n${fenced({ verdict: "approve" })}`;
    assert.equal((parseVerdict(twice) as { verdict: string }).verdict, "approve");
    const configAfter = `${fenced({ verdict: "approve", summary: "ok" })}\nFor reference, package.json:\n${fenced({ name: "x" })}`;
    assert.deepEqual(parseVerdict(configAfter), { verdict: "approve", summary: "ok", findings: [] });
  });

  it("reads a bare JSON object, defaulting the summary and findings", () => {
    assert.deepEqual(parseVerdict('{"verdict": "approve"}'), {
      verdict: "approve",
      summary: "",
      findings: [],
    });
    assert.deepEqual(parseVerdict(`Looks right now. ${JSON.stringify(CHANGES)}`), CHANGES);
  });

  it("reads a bare verdict after prose that has braces of its own", () => {
    const message =
      'Before, `divide` returned `{}` on bad input; now it throws. {"verdict": "approve", "summary": "ok"}';
    assert.deepEqual(parseVerdict(message), { verdict: "approve", summary: "ok", findings: [] });
    const nested = `The template \`\${name}\` is fine. ${JSON.stringify(CHANGES)}`;
    assert.deepEqual(parseVerdict(nested), CHANGES);
  });

  it("says when there is no JSON, or it does not parse", () => {
    assert.equal(errorOf("Looks good to me!"), "the reviewer's answer holds no JSON verdict");
    assert.equal(errorOf(""), "the reviewer's answer holds no JSON verdict");
    assert.match(
      errorOf('```json\n{"verdict": "approve",}\n```'),
      /not a valid verdict: its JSON does not parse$/,
    );
    assert.match(errorOf("{verdict: approve}"), /its JSON does not parse/);
  });

  it("refuses a request for changes without findings", () => {
    assert.match(
      errorOf('{"verdict": "request-changes", "summary": "fix it"}'),
      /required property 'findings'/,
    );
    assert.match(
      errorOf('{"verdict": "request-changes", "findings": []}'),
      /\/findings must NOT have fewer than 1 items/,
    );
  });

  it("refuses unknown keys, a bad severity, a bad line and an unknown verdict", () => {
    assert.match(
      errorOf('{"verdict": "approve", "score": 9}'),
      /\(root\) must NOT have additional properties/,
    );
    const finding = (extra: Record<string, unknown>) =>
      errorOf(JSON.stringify({ verdict: "request-changes", findings: [{ ...FINDING, ...extra }] }));
    assert.match(
      finding({ severity: "critical" }),
      /\/findings\/0\/severity must be equal to one of the allowed values/,
    );
    assert.match(finding({ line: 0 }), /\/findings\/0\/line must be >= 1/);
    assert.match(finding({ line: 1.5 }), /\/findings\/0\/line must be integer/);
    assert.match(finding({ fix: "x" }), /\/findings\/0 must NOT have additional properties/);
    assert.match(finding({ file: "" }), /\/findings\/0\/file must NOT have fewer than 1 characters/);
    assert.match(errorOf('{"verdict": "lgtm"}'), /\/verdict must be equal to one of the allowed values/);
    assert.match(errorOf('{"summary": "fine"}'), /\(root\) must have required property/);
  });

  it("shows the findings to the builder one per line, after the summary", () => {
    assert.equal(
      findingsText({
        verdict: "request-changes",
        summary: "Two problems.",
        findings: [
          { file: "src/calc.js", line: 12, severity: "blocker", text: "crashes" },
          { file: "README.md", severity: "nit", text: "typo" },
        ],
      }),
      "Two problems.\n- [blocker] src/calc.js:12: crashes\n- [nit] README.md: typo",
    );
    assert.equal(
      findingsText({
        verdict: "request-changes",
        summary: "",
        findings: [{ file: "a", severity: "minor", text: "t" }],
      }),
      "- [minor] a: t",
    );
  });
});

const INPUT: ReviewBriefInput = {
  item: { id: 7, title: "Add multiply", body: "Add `multiply(a, b)` to src/calc.js.\n" },
  round: 2,
  diff: "diff --git a/src/calc.js b/src/calc.js\n+export function multiply(a, b) {}\n",
  diffTruncated: false,
  evidence: [
    { name: "test", command: "node --test", exitCode: 0, durationMs: 812, outputSha256: "f".repeat(64) },
    { name: "lint", command: "eslint .", exitCode: null, durationMs: 5, outputSha256: "e".repeat(64) },
  ],
  role: { name: "reviewer", instructions: "Be adversarial about edge cases.\n" },
};

describe("engine/review/brief", () => {
  it("gives the reviewer the item, the gate evidence, the diff and the verdict's schema", () => {
    const brief = renderReviewBrief(INPUT);
    assert.deepEqual(
      brief.split("\n").filter((line) => line.startsWith("# ")),
      [
        "# Your role (reviewer)",
        "# The work item #7: Add multiply",
        "# The gate gaffer ran on the proposal (all green)",
        "# The diff",
        "# Your answer (review round 2)",
      ],
    );
    assert.match(brief, /Be adversarial about edge cases\.\n\n# The work item/);
    assert.match(brief, /Add `multiply\(a, b\)` to src\/calc\.js\.\n\n/);
    assert.match(brief, /^- test: `node --test` exited 0 in 812 ms$/m);
    assert.match(brief, /^- lint: `eslint \.` exited without a code in 5 ms$/m);
    assert.ok(brief.includes(`\`\`\`diff\n${INPUT.diff.trimEnd()}\n\`\`\``));
    assert.match(brief, /Do not change any file/);
  });

  it("carries the schema the verdict is checked against, as JSON a reviewer can copy", () => {
    const brief = renderReviewBrief(INPUT);
    const blocks = [...brief.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? "");
    assert.equal(blocks.length, 1);
    assert.deepEqual(JSON.parse(blocks[0] as string), VERDICT_SCHEMA);
    // The examples in the brief are themselves valid verdicts.
    const examples = brief.split("\n").slice(-3).join(" ");
    const approve = /(\{"verdict": "approve", "summary": "…"\})/.exec(examples)?.[1];
    assert.deepEqual(parseVerdict(approve ?? ""), { verdict: "approve", summary: "…", findings: [] });
  });

  it("says the diff is cut short, shows when there is no evidence, and leaves out a role without a prompt", () => {
    const brief = renderReviewBrief({
      ...INPUT,
      diffTruncated: true,
      evidence: [],
      role: { name: "reviewer", instructions: undefined },
    });
    assert.match(brief, /^# The diff \(truncated; read the files for the rest\)$/m);
    assert.match(brief, /\(all green\)\n\(no gate evidence\)\n/);
    assert.doesNotMatch(brief, /# Your role/);
  });

  it("is made only of what it is given: no builder transcript, attempt or feedback reaches it", () => {
    const brief = renderReviewBrief(INPUT);
    assert.equal(renderReviewBrief(structuredClone(INPUT)), brief, "the same input gives the same brief");
    for (const builderOnly of [
      "attempt",
      "A CI check just failed",
      "A reviewer asked for changes",
      "Note from gaffer",
    ]) {
      assert.ok(!brief.includes(builderOnly), builderOnly);
    }
  });
});
