import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { casePatterns, SH_PRELUDE } from "../../../src/guard/git-guard/sh.ts";
import { judgeGit } from "../../../src/guard/index.ts";
import { WORD_ROWS } from "../../util/glob-table.ts";

describe("guard/git-guard globs", () => {
  it("the wrapper's case statements and the judge's matcher agree on every row of the table", () => {
    // What the wrapper does: casePatterns pasted into `case`, under its prelude; one sh run answers
    // every (glob, word) pair with y or n, in order.
    const pairs = WORD_ROWS.flatMap(({ glob, matches, misses }) =>
      [...matches, ...misses].map((word) => ({ glob, word, expected: matches.includes(word) })),
    );
    const script = pairs
      .map(({ glob }, i) => `case "\${${i + 1}}" in ${casePatterns([glob])}) printf y ;; *) printf n ;; esac`)
      .join("\n");
    const sh = spawnSync("sh", ["-c", `${SH_PRELUDE}${script}`, "sh", ...pairs.map(({ word }) => word)], {
      encoding: "utf8",
    });
    assert.equal(sh.status, 0, sh.stderr);
    pairs.forEach(({ glob, word, expected }, i) => {
      assert.equal(sh.stdout[i] === "y", expected, `sh: ${glob} ${JSON.stringify(word)}`);
    });
  });

  it("the judge applies the rules' globs through the same module", () => {
    assert.equal(judgeGit(["clean", "-xdf"])?.rule, "git clean");
    assert.equal(judgeGit(["clean", "-n"]), undefined);
    assert.equal(judgeGit(["-c", "ALIAS.x=!sh", "status"])?.rule, "git config");
    assert.equal(judgeGit(["branch", "--contains=refs/heads/x", "topic"]), undefined);
  });
});
