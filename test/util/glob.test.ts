import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { pathGlobListProblems, pathGlobProblem } from "../../src/util/glob-problems.ts";
import { globHit, literalGlob, matchesGlobs, wordGlobProblem, wordMatches } from "../../src/util/glob.ts";
import { PATH_ROWS, PROBLEM_ROWS, WORD_ROWS } from "./glob-table.ts";

describe("util/glob", () => {
  for (const { globs, matches, misses } of PATH_ROWS) {
    it(`${JSON.stringify(globs)} is accepted, and matches exactly what the table says`, () => {
      assert.deepEqual(pathGlobListProblems(globs), []);
      for (const path of matches) assert.equal(matchesGlobs(path, globs), true, path);
      for (const path of misses) assert.equal(matchesGlobs(path, globs), false, path);
    });
  }

  it("names the entry that decided, and the exclusion that cancelled it", () => {
    const globs = ["secrets/**", "!secrets/README.md"];
    assert.deepEqual(globHit("secrets/.env", globs), { pattern: "secrets/**" });
    assert.deepEqual(globHit("secrets/README.md", globs), {
      pattern: "secrets/**",
      excludedBy: "!secrets/README.md",
    });
    assert.equal(globHit("README.md", globs), undefined);
    assert.equal(matchesGlobs("anything", []), false);
  });

  it("turns a literal path into a glob that matches only it", () => {
    for (const path of ["prompts/[draft].md", "d/a{b,c}.md", "x/!(y)+z@w?.md", "d/[0-9]+*b]", "!x"]) {
      const glob = literalGlob(path);
      assert.equal(pathGlobProblem(glob), undefined, glob);
      assert.equal(matchesGlobs(path, [glob]), true, glob);
      assert.equal(matchesGlobs(path.replace(/[^A-Za-z/.]/g, ""), [glob]), false, glob);
    }
  });

  for (const { globs, message, hint } of PROBLEM_ROWS) {
    it(`refuses ${JSON.stringify(globs)} with a message and the fix`, () => {
      const [problem, ...more] = pathGlobListProblems(globs);
      assert.ok(problem, "a problem");
      assert.deepEqual(more, []);
      assert.match(problem.message, message);
      assert.match(problem.hint, hint);
      assert.doesNotMatch(`${problem.message}${problem.hint}`, /\n/);
    });
  }

  it("offers fixes that are themselves accepted", () => {
    for (const { globs } of PROBLEM_ROWS.filter((row) => row.globs.length === 1)) {
      const fixed = /^write "((?:[^"\\]|\\.)*)"/.exec(pathGlobProblem(globs[0] as string)?.hint ?? "")?.[1];
      if (fixed !== undefined)
        assert.equal(pathGlobProblem(JSON.parse(`"${fixed}"`) as string), undefined, fixed);
    }
  });
});

describe("util/glob word globs", () => {
  it("match words as sh's case does (the git guard runs the table through sh too)", () => {
    for (const { glob, matches, misses } of WORD_ROWS) {
      for (const word of matches) assert.equal(wordMatches(word, [glob]), true, `${glob} ${word}`);
      for (const word of misses) assert.equal(wordMatches(word, [glob]), false, `${glob} ${word}`);
    }
  });

  it("accept only what sh and picomatch read alike", () => {
    for (const { glob } of WORD_ROWS) assert.equal(wordGlobProblem(glob), undefined, glob);
    for (const glob of ["a|b", "{a,b}", "+(a)", "a b", "x[ab", "a\\b"]) {
      assert.ok(wordGlobProblem(glob), glob);
    }
  });
});

describe("docs/CONFIGURATION.md path globs", () => {
  it("the table's examples match and miss as it says", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../docs/CONFIGURATION.md", import.meta.url)), "utf8");
    const table = doc.split("### Path globs")[1]?.split("\n\n")[2] ?? "";
    const rows = table.split("\n").slice(2);
    assert.ok(rows.length >= 10, table);
    // Backticked words without glob characters in the second and third columns are paths.
    const paths = (cell: string) =>
      [...cell.matchAll(/`([^`]+)`/g)]
        .map((m) => m[1] as string)
        .filter((word) => !/[*?[\]{}()!]|\/$/.test(word));
    let checked = 0;
    for (const row of rows) {
      const [glob, matches = "", misses = ""] = row
        .split(/(?<!\\) \| /)
        .map((cell) => cell.replace(/^\| /, ""));
      const pattern = /`([^`]+)`/.exec(glob ?? "")?.[1]?.replace(/\\\|/g, "|") ?? "";
      for (const path of paths(matches))
        assert.equal(matchesGlobs(path, [pattern]), true, `${pattern} ${path}`);
      for (const path of paths(misses))
        assert.equal(matchesGlobs(path, [pattern]), false, `${pattern} ${path}`);
      checked += paths(matches).length + paths(misses).length;
    }
    assert.ok(checked >= 25, `only ${checked} examples found`);
  });
});
