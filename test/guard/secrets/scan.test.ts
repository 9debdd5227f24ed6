import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type KnownSecret,
  MAX_FINDINGS,
  type Place,
  redactStrings,
  secretScanner,
  type TextAt,
} from "../../../src/guard/secrets/index.ts";

const VALUE = "s3cr3t-token-4242";
const KNOWN: KnownSecret[] = [{ value: VALUE, source: "environment variable SECRET_TOKEN" }];
const FILE: Place = { kind: "file", commit: "0123456789abcdef0123", path: "src/config.js", line: 10 };

/** Realistic-looking tokens, built so this file holds none of them literally. */
const TOKENS: Record<string, string> = {
  "a GitHub token": `ghp_${"aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY2zA4"}`,
  "a GitHub token (fine-grained)": `github_pat_${"11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789"}`,
  "a GitLab token": `glpat-${"xY3zA4bC5dE6fG7hI8jK"}`,
  "an AWS access key": `AKIA${"Q3ZRT5WJ7LPN2KDM"}`,
  "a Slack token": `xoxb-${"2048-1234567890-aBcDeF"}`,
  "a Stripe key": `sk_live_${"4eC39HqLyjWDarjtT1zdp7dc"}`,
  "an Anthropic key": `sk-ant-${"api03-aBcDeFgHiJkLmNoPqRsTuV"}`,
  "an OpenAI key": `sk-proj-${"aBcDeFgHiJkLmNoPqRsTuVwX"}`,
  "an OpenAI key (legacy)": `sk-${"aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY2zA4bC6dE8fG0h"}`,
  "a Google API key": `AIza${"SyD3aB5cD7eF9gH1iJ3kL5mN7oP9qR1sT3u"}`,
  "a private key": `-----BEGIN ${"OPENSSH"} PRIVATE KEY-----`,
  "a JSON Web Token": `eyJ${"hbGciOiJIUzI1NiJ9"}.eyJ${"zdWIiOiIxMjM0NTY3ODkwIn0"}.${"dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}`,
};

function scan(texts: TextAt[], known = KNOWN) {
  return secretScanner(known).scan(texts);
}

function assertNoValue(findings: unknown, values: string[]): void {
  const shown = JSON.stringify(findings);
  for (const value of values) assert.ok(!shown.includes(value), `the findings show ${value}`);
}

describe("guard/secrets/scan", () => {
  it("finds a known value in a file, on its own line, without showing it", () => {
    const findings = scan([{ place: FILE, text: `const a = 1;\nconst b = 2;\nconst t = "${VALUE}";\n` }]);
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]?.place, { ...FILE, line: 12 });
    assert.equal(findings[0]?.rule, "known-secret");
    assert.equal(
      findings[0]?.message,
      "src/config.js:12 in commit 0123456789ab holds the value of environment variable SECRET_TOKEN",
    );
    assertNoValue(findings, [VALUE]);
  });

  for (const [encoding, encode] of [
    ["base64", (v: string) => Buffer.from(v).toString("base64")],
    ["base64", (v: string) => Buffer.from(`API_TOKEN=${v}\n`).toString("base64")],
    ["base64", (v: string) => Buffer.from(`x${v}`).toString("base64url")],
    ["base64", (v: string) => Buffer.from(`xy${v}yx`).toString("base64")],
    ["hex", (v: string) => Buffer.from(v).toString("hex")],
    ["hex", (v: string) => Buffer.from(v).toString("hex").toUpperCase()],
    ["reversed", (v: string) => [...v].reverse().join("")],
  ] as const) {
    it(`finds a known value written ${encoding}: ${encode("<v>")}`, () => {
      const findings = scan([{ place: FILE, text: `data = "${encode(VALUE)}"` }]);
      assert.deepEqual(
        findings.map((f) => [f.rule, f.encoding]),
        [["known-secret", encoding]],
      );
      assert.match(findings[0]?.message ?? "", new RegExp(`\\(${encoding}\\)$`));
      assertNoValue(findings, [VALUE, encode(VALUE)]);
    });
  }

  for (const [name, token] of Object.entries(TOKENS)) {
    it(`finds ${name} by its format alone`, () => {
      const findings = scan([{ place: FILE, text: `key = "${token}"` }], []);
      assert.deepEqual(
        findings.map((f) => [f.rule, f.what]),
        [["token-format", name.replace(/ \(.*\)$/, "")]],
      );
      assertNoValue(findings, [token]);
    });
  }

  it("leaves placeholders, words that contain a prefix, and short look-alikes alone", () => {
    const text = [
      "AKIAIOSFODNN7EXAMPLE",
      `ghp_${"x".repeat(36)}`,
      "task-abcdefghijklmnopqrstuvwxyz0123456789abcd",
      "sk-short",
      "const risky = mask(value); // -----BEGIN PUBLIC KEY-----",
      "eyJhbGciOi.notajwt",
    ].join("\n");
    assert.deepEqual(scan([{ place: FILE, text }], []), []);
  });

  it("does not count a value the same change removed: editing a line that already held it", () => {
    const token = TOKENS["a GitHub token"] ?? "";
    const text = `fixture = "${token}" // moved`;
    assert.deepEqual(scan([{ place: FILE, text, replaced: `fixture = "${token}"` }], []), []);
    assert.equal(scan([{ place: FILE, text, replaced: "something else" }], []).length, 1);
  });

  it("names every kind of place, masking a secret held in the place itself", () => {
    const texts: TextAt[] = [
      { place: { kind: "path", commit: null, path: `leak-${VALUE}.txt` }, text: `leak-${VALUE}.txt` },
      {
        place: { kind: "commit", commit: "fedcba9876543210fedc", field: "message" },
        text: `fix\n\n${VALUE}`,
      },
      {
        place: { kind: "commit", commit: "fedcba9876543210fedc", field: "author" },
        text: `${VALUE} <a@b> 1 +0000`,
      },
      { place: { kind: "branch" }, text: `gaffer/1-${VALUE}` },
    ];
    const messages = scan(texts).map((f) => f.message);
    assert.deepEqual(messages, [
      "the file name leak-[redacted].txt (uncommitted; gaffer would commit it) holds the value of environment variable SECRET_TOKEN",
      "the message of commit fedcba987654 holds the value of environment variable SECRET_TOKEN",
      "the author of commit fedcba987654 holds the value of environment variable SECRET_TOKEN",
      "the run branch's name holds the value of environment variable SECRET_TOKEN",
    ]);
  });

  it("shows control characters in a path as ?", () => {
    const [found] = scan([{ place: { ...FILE, path: "a\u001b[31mb.js" }, text: VALUE }]);
    assert.equal(found?.place.kind === "file" && found.place.path, "a?[31mb.js");
  });

  it("names every source of a value", () => {
    const sources = ["A", "B", "C", "D"].map((name) => ({ value: VALUE, source: `variable ${name}` }));
    const what = (count: number) => scan([{ place: FILE, text: VALUE }], sources.slice(0, count))[0]?.what;
    assert.equal(what(1), "the value of variable A");
    assert.equal(what(2), "the value of variable A (also in variable B)");
    assert.equal(what(4), "the value of variable A (also in variable B, variable C and 1 more)");
  });

  it("reports a place and a secret once, and stops at MAX_FINDINGS", () => {
    const once = scan([{ place: FILE, text: `${VALUE}\n${VALUE}` }]);
    assert.equal(once.length, 1);
    const many = Array.from({ length: MAX_FINDINGS + 10 }, (_, i) => ({
      place: { ...FILE, line: i + 1 },
      text: VALUE,
    }));
    assert.equal(scan(many).length, MAX_FINDINGS);
  });

  it("redacts known values in every encoding, and tokens, from a text", () => {
    const scanner = secretScanner(KNOWN);
    const base64 = Buffer.from(VALUE).toString("base64");
    const token = TOKENS["a Slack token"] ?? "";
    const out = scanner.redact(`a ${VALUE} b ${base64} c ${token} d AKIAIOSFODNN7EXAMPLE`);
    // base64's last characters also depend on what follows, so they stay.
    assert.match(out, /^a \[redacted\] b \[redacted\]\S{0,3} c \[redacted\] d AKIAIOSFODNN7EXAMPLE$/);
  });

  it("redacts every string of a nested value, leaving the rest as it is", () => {
    const { redact } = secretScanner(KNOWN);
    const evidence = {
      path: `a/${VALUE}.txt`,
      lines: [{ line: 3, text: `x ${VALUE}` }],
      n: 2,
      ok: true,
      none: null,
    };
    assert.deepEqual(redactStrings(evidence, redact), {
      path: "a/[redacted].txt",
      lines: [{ line: 3, text: "x [redacted]" }],
      n: 2,
      ok: true,
      none: null,
    });
  });
});
