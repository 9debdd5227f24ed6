import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchesAnyGlob, matchesGlob } from "../../../src/guard/integrity/glob.ts";

describe("guard/integrity/glob", () => {
  const cases: [path: string, glob: string, expected: boolean][] = [
    ["gaffer.toml", "gaffer.toml", true],
    ["sub/gaffer.toml", "gaffer.toml", false],
    ["src/a.ts", "src/**", true],
    ["src/deep/er/a.ts", "src/**", true],
    ["srcx/a.ts", "src/**", false],
    ["src/a.ts", "src/*", true],
    ["src/deep/a.ts", "src/*", false],
    ["a.test.ts", "**/*.test.ts", true],
    ["x/y/a.test.ts", "**/*.test.ts", true],
    ["x/y/a.test.tsx", "**/*.test.ts", false],
    ["src/x/test/a.ts", "src/**/test/*.ts", true],
    ["src/test/a.ts", "src/**/test/*.ts", true],
    ["a1b", "a?b", true],
    ["a/b", "a?b", false],
    ["docs/x/y.md", "docs/", true],
    ["docs", "docs/", false],
    ["secrets/.env", "secrets/**", true],
    [".gaffer/state.db", ".gaffer/**", true],
    [".hidden/x", "**", true],
    ["a.b", "a*b", true],
    ["a+b(1).js", "a+b(1).js", true],
    ["aab(1).js", "a+b(1).js", false],
  ];
  for (const [path, glob, expected] of cases) {
    it(`${glob} ${expected ? "matches" : "does not match"} ${path}`, () => {
      assert.equal(matchesGlob(path, glob), expected);
    });
  }

  it("matches any of several globs", () => {
    assert.equal(matchesAnyGlob("README.md", ["src/**", "*.md"]), true);
    assert.equal(matchesAnyGlob("bin/x", ["src/**", "*.md"]), false);
    assert.equal(matchesAnyGlob("bin/x", []), false);
  });
});
