import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GIT_RULES, judgeGit } from "../../../src/guard/index.ts";
import { casePatterns, shQuote } from "../../../src/guard/git-guard/sh.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { guardFixture, REAL_GIT, shell } from "./fixture.ts";

const RUN = "gaffer/3-cache";

/** Invocations judged by both implementations: the TypeScript one (ACP policy) and the sh wrapper. */
const CASES: string[][] = [
  ["push"],
  ["-C", "sub", "--work-tree", "w", "push"],
  ["--namespace=x", "--bare", "push"],
  ["-c", "user.name=x", "commit", "-m", "push"],
  ["-c", "Alias.P=push", "p"],
  ["-c=alias.p=push", "p"],
  ["-c", "filter.lfs.clean=x", "add", "."],
  ["-c", "includeIf.onbranch:x.path=/c", "status"],
  ["--config-env", "credential.helper=HOME", "status"],
  ["--help", "push"],
  ["--version"],
  ["--exec-path=/tmp", "status"],
  ["--list-cmds=main"],
  ["--unknown", "status"],
  ["clean", "-n"],
  ["clean", "-xfd"],
  ["clean", "--force"],
  ["branch"],
  ["branch", "-vv"],
  ["branch", "--list", "gaffer/*"],
  ["branch", "--format", "%(refname)"],
  ["branch", "new"],
  ["branch", "-f", RUN, "HEAD~1"],
  ["branch", "--delete", "old"],
  ["update-ref", `refs/heads/${RUN}`, "HEAD", "HEAD~1"],
  ["update-ref", "-m", "why", RUN, "HEAD"],
  ["update-ref", "HEAD", "main"],
  ["update-ref", "refs/heads/main", "HEAD"],
  ["update-ref", "-d", `refs/heads/${RUN}`],
  ["update-ref", "--stdin"],
  ["symbolic-ref", "HEAD"],
  ["symbolic-ref", "refs/remotes/origin/HEAD"],
  ["symbolic-ref", "HEAD", `refs/heads/${RUN}`],
  ["symbolic-ref", "HEAD", "refs/heads/main"],
  ["symbolic-ref", "--delete", "HEAD"],
  ["worktree", "list"],
  ["worktree", "add", "../x"],
  ["remote"],
  ["remote", "-v", "show", "origin"],
  ["remote", "rename", "a", "b"],
  ["config", "user.email"],
  ["config", "--global", "url.https://x/.insteadOf", "git@x:"],
  ["config", "set", "core.fsmonitor", "true"],
  ["config", "--get-regexp", "^alias"],
  ["stash", "push", "-m", "wip"],
  ["merge", "--no-edit", "main"],
  ["cherry-pick", "HEAD~1"],
  ["tag", "-l"],
];

describe("guard/git-guard/judge", () => {
  it("decides like the wrapper script, case by case", async (t) => {
    // A stand-in for the real git: answers the installer's questions, and otherwise reports it ran.
    const fakeGit = join(tempDir(t), "git");
    writeFileSync(
      fakeGit,
      `#!/bin/sh\ncase $1 in --exec-path|--list-cmds=builtins) exec ${REAL_GIT} "$1";; esac\necho ran\n`,
    );
    chmodSync(fakeGit, 0o755);
    const { env } = await guardFixture(t, RUN, fakeGit);
    for (const args of CASES) {
      const result = shell(`git ${args.map(shQuote).join(" ")}`, tempDir(t), env);
      const wrapperRule = /^denied by gaffer policy: (.+?) \(/.exec(result.stderr)?.[1];
      assert.equal(
        wrapperRule === undefined,
        result.stdout === "ran\n",
        `${args.join(" ")}: ${result.stderr}`,
      );
      assert.equal(judgeGit(args, RUN)?.rule, wrapperRule, args.join(" "));
    }
  });

  it("without a run branch, update-ref and symbolic-ref may write nothing", () => {
    assert.equal(judgeGit(["update-ref", `refs/heads/${RUN}`, "HEAD"])?.rule, "git update-ref");
    assert.equal(judgeGit(["symbolic-ref", "HEAD", `refs/heads/${RUN}`])?.rule, "git symbolic-ref");
    assert.equal(judgeGit(["symbolic-ref", "HEAD"]), undefined);
  });
});

describe("guard/rules", () => {
  it("has one rule per subcommand, each with a reason and a prefix, and only plain globs", () => {
    const subcommands = GIT_RULES.map((rule) => rule.subcommand);
    assert.equal(new Set(subcommands).size, subcommands.length);
    for (const rule of GIT_RULES) {
      assert.equal(rule.name, `git ${rule.subcommand}`);
      assert.ok(rule.reason.length > 0 && rule.prefixes.length > 0, rule.name);
      assert.ok(
        rule.prefixes.every((prefix) => prefix[0] === rule.subcommand),
        rule.name,
      );
      for (const test of rule.when ?? []) {
        if (test.kind === "arg" || test.kind === "action") casePatterns(test.globs);
        if (test.kind === "operand") casePatterns(test.unless);
      }
    }
    assert.throws(() => casePatterns(["a|b"]), /not a plain glob/);
    assert.throws(() => casePatterns(["x[ab"]), /Missing closing/);
  });
});
