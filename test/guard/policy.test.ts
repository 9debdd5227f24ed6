import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandPolicy, defaultPolicy } from "../../src/guard/index.ts";

const denied = (command: string, args: string[] = []) => defaultPolicy.deniedBy(command, args);

describe("guard/policy", () => {
  it("denies history and ref rewriting in any spelling", () => {
    assert.equal(denied("git", ["push", "origin", "HEAD"]), "git push");
    assert.equal(denied("/usr/bin/git", ["-C", "..", "push"]), "git push");
    assert.equal(denied("git", ["-c", "x=y", "--git-dir=/x", "reset", "--hard"]), "git reset");
    assert.equal(denied("sh", ["-c", "cd src && git push -f"]), "git push");
    assert.equal(
      denied("bash", ["-lc", "echo hi; GIT_DIR=/x git update-ref refs/heads/main HEAD"]),
      "git update-ref",
    );
    assert.equal(denied("sh", ["-c", "echo $(git checkout main)"]), "git checkout");
    assert.equal(denied("git push --force"), "git push");
    assert.equal(denied("git", ["branch", "-D", "main"]), "git branch");
    assert.equal(denied("git", ["clean", "-fdx"]), "git clean");
    assert.equal(denied("git", ["remote", "add", "x", "https://evil"]), "git remote");
    assert.equal(denied("git", ["config", "core.hooksPath", "/tmp/h"]), "git config");
    assert.equal(denied("env", ["git", "rebase", "-i"]), "git rebase");
  });

  it("allows ordinary work", () => {
    for (const [command, args] of [
      ["git", ["status"]],
      ["git", ["add", "-A"]],
      ["git", ["commit", "-m", "push the limits"]],
      ["git", ["branch"]],
      ["git", ["clean", "-n"]],
      ["sh", ["-c", "npm test && echo 'git push'"]],
      ["npm", ["test"]],
    ] as [string, string[]][]) {
      assert.equal(denied(command, args), undefined, `${command} ${args.join(" ")}`);
    }
  });

  it("judges git like the wrapper: overrides, branch creation, the run branch", () => {
    assert.equal(denied("git", ["-c", "alias.p=push", "p"]), "git config");
    assert.equal(denied("sh", ["-c", "git -c core.hooksPath=/tmp/h commit"]), "git config");
    assert.equal(denied("git", ["branch", "side"]), "git branch");
    assert.equal(denied("git", ["switch", "-c", "side"]), "git switch");
    assert.equal(denied("git", ["--frobnicate", "push"]), "git --frobnicate");
    const run = commandPolicy("gaffer/1-x");
    assert.equal(run.deniedBy("git", ["update-ref", "refs/heads/gaffer/1-x", "HEAD"]), undefined);
    assert.equal(run.deniedBy("git", ["update-ref", "refs/heads/main", "HEAD"]), "git update-ref");
    assert.equal(run.deniedBy("git", ["update-ref", "-d", "refs/heads/gaffer/1-x"]), "git update-ref");
  });
});
