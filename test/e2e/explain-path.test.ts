import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";

const GAFFER_TOML = `[guard]
allow_paths = ["src/**", "!src/gen/**", "certs/**"]
deny_paths = ["**/*.{pem,key}"]
`;
const POLICY_TOML = `[paths.docs]
tier = "medium"
globs = ["docs/**/*.md"]
`;

describe("e2e: gaffer validate --explain-path", () => {
  it("names the entries a path hits and the tier of a merge changing it", async (t) => {
    const dir = gitRepo(t, { "gaffer.toml": GAFFER_TOML, "policy.toml": POLICY_TOML, "src/gen/.keep": "" });
    const explain = async (path: string, cwd = dir) => {
      const result = await gaffer(["validate", "--json", "--explain-path", path], { cwd });
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as {
        path: string;
        guard: { kind: string; deny?: { pattern: string }; allow?: { pattern: string; excludedBy?: string } };
        merge: { tier: string; reasons: { rule: string; glob?: string }[] };
      };
    };
    const pem = await explain("certs/x.pem");
    assert.deepEqual(pem.guard, {
      kind: "denied",
      deny: { pattern: "**/*.{pem,key}" },
      allow: { pattern: "certs/**" },
    });
    assert.equal(pem.merge.tier, "high");
    assert.deepEqual(pem.merge.reasons.at(-1), {
      rule: "paths.secrets",
      tier: "high",
      why: "touches secret-like files: certs/x.pem",
      glob: "**/*.pem",
    });
    const generated = await explain("x.ts", join(dir, "src", "gen"));
    assert.equal(generated.path, "src/gen/x.ts");
    assert.deepEqual(generated.guard, {
      kind: "not-allowed",
      allow: { pattern: "src/**", excludedBy: "!src/gen/**" },
    });
    const docs = await explain("docs/guide/a.md");
    assert.equal(docs.merge.tier, "medium");
    assert.equal(docs.merge.reasons.at(-1)?.glob, "docs/**/*.md");

    const text = await gaffer(["validate", "--explain-path", "certs/x.pem"], { cwd: dir });
    assert.match(
      text.stdout,
      /^certs\/x\.pem\n {2}run: +a run may not change it: deny_paths "\*\*\/\*\.\{pem,key\}"\n/,
    );
    assert.match(text.stdout, /merge: high/);
    const outside = await gaffer(["validate", "--explain-path", "../x"], { cwd: dir });
    assert.notEqual(outside.code, 0);
    assert.match(outside.stderr, /^gaffer: \.\.\/x is not a path inside the project/);
  });

  it("refuses a bad glob in gaffer.toml or policy.toml with one line", async (t) => {
    const cases: [file: string, text: string, error: RegExp][] = [
      [
        "gaffer.toml",
        `[guard]\ndeny_paths = ["*.pem"]\n`,
        /^gaffer: gaffer\.toml:2: guard\.deny_paths\[0\]: "\*\.pem" matches only at the project root/,
      ],
      [
        "policy.toml",
        `[paths.keys]\ntier = "high"\nglobs = ["certs/[ab*.pem"]\n`,
        /^gaffer: policy\.toml:3: paths\.keys\.globs\[0\]: "certs\/\[ab\*\.pem" does not compile/,
      ],
    ];
    for (const [file, text, error] of cases) {
      const dir = gitRepo(t, { [file]: text });
      const result = await gaffer(["validate"], { cwd: dir });
      assert.equal(result.code, 78, file);
      assert.match(result.stderr, error);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
    }
  });
});
