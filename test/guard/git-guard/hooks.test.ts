import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { guardLogEntries, installGuardHooks } from "../../../src/guard/index.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { RUN_BRANCH, workspaceFixture } from "../../workspace/fixture.ts";
import { REAL_GIT, realGit, shell } from "./fixture.ts";

const HOOKS = ["pre-push", "post-checkout", "reference-transaction"];

/** A gaffer workspace on its run branch with the guard hooks; git is always the real one, by path. */
async function setup(t: TestContext) {
  const { ws, project } = await workspaceFixture(t);
  const logFile = join(tempDir(t, "gaffer-guard-"), "guard", "denials.jsonl");
  await installGuardHooks({ gitDir: join(ws.dir, ".git"), runBranch: RUN_BRANCH, logFile });
  const git = (args: string) => shell(`${REAL_GIT} ${args}`, ws.dir);
  const main = realGit(ws.dir, "rev-parse", "main");
  return { dir: ws.dir, project, logFile, git, main };
}

describe("guard/git-guard/hooks", () => {
  it("writes executable sh hooks", async (t) => {
    const { dir } = await setup(t);
    for (const name of HOOKS) {
      const path = join(dir, ".git", "hooks", name);
      assert.equal(statSync(path).mode & 0o111, 0o111, name);
      assert.match(readFileSync(path, "utf8"), /^#!\/bin\/sh\n/);
      assert.equal(shell(`sh -n ${path}`, dir).status, 0, name);
    }
  });

  it("pre-push refuses a push to a local bare remote", async (t) => {
    const { dir, logFile, git } = await setup(t);
    const bare = tempDir(t, "gaffer-bare-");
    shell(`${REAL_GIT} init --quiet --bare .`, bare);
    const result = git(`push ${bare} HEAD:refs/heads/main`);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /denied by gaffer policy: git push/);
    assert.equal(realGit(bare, "for-each-ref"), "", "nothing arrived");
    const [entry] = guardLogEntries(logFile);
    assert.deepEqual(entry, { ...entry, rule: "git push", argv: [bare, bare], cwd: dir, by: "pre-push" });
  });

  it("reference-transaction refuses any ref but the run branch", async (t) => {
    const { dir, logFile, git, main } = await setup(t);
    for (const args of ["update-ref refs/heads/main HEAD~0", "update-ref -d refs/heads/main", "tag v1"]) {
      const result = git(args);
      assert.notEqual(result.status, 0, args);
      assert.match(result.stderr, /denied by gaffer policy: ref update refs\/(heads\/main|tags\/v1)/, args);
    }
    const checkout = git("checkout -b side");
    assert.notEqual(checkout.status, 0);
    assert.match(checkout.stderr, /ref update refs\/heads\/side/);
    assert.notEqual(git(`update-ref -d refs/heads/${RUN_BRANCH}`).status, 0, "the run branch is not deleted");

    assert.equal(realGit(dir, "rev-parse", "main"), main);
    assert.equal(
      realGit(dir, "for-each-ref", "--format=%(refname)"),
      `refs/heads/${RUN_BRANCH}\nrefs/heads/main`,
    );
    assert.equal(realGit(dir, "symbolic-ref", "HEAD"), `refs/heads/${RUN_BRANCH}`);
    const entries = guardLogEntries(logFile);
    assert.deepEqual(
      entries.map((entry) => [entry.by, entry.rule, entry.argv.join(" ")]),
      [
        ["reference-transaction", "ref update", "refs/heads/main"],
        ["reference-transaction", "ref update", "refs/heads/main"],
        ["reference-transaction", "ref update", "refs/tags/v1"],
        ["reference-transaction", "ref update", "refs/heads/side"],
        ["reference-transaction", "ref update", `refs/heads/${RUN_BRANCH}`],
      ],
    );
  });

  it("lets commit, stash, merge and cherry-pick work on the run branch", async (t) => {
    const { dir, logFile, git } = await setup(t);
    const ok = (args: string) => assert.equal(git(args).status, 0, args);
    // Two commits on main, made with hooks off as gaffer's own git would.
    const hooksOff = (args: string) => git(`-c core.hooksPath=/dev/null ${args}`);
    hooksOff("switch --quiet main");
    for (const name of ["merged", "picked"]) {
      writeFileSync(join(dir, `${name}.txt`), `${name}\n`);
      hooksOff(`add ${name}.txt`);
      hooksOff(`commit --quiet -m ${name}`);
    }
    hooksOff(`switch --quiet ${RUN_BRANCH}`);
    const before = guardLogEntries(logFile).length;

    writeFileSync(join(dir, "work.txt"), "one\n");
    ok("add work.txt");
    ok("commit --quiet -m work");
    writeFileSync(join(dir, "work.txt"), "two\n");
    ok("stash --quiet");
    ok("stash pop --quiet");
    ok("commit --quiet -am two");
    ok("merge --quiet --no-edit main~1");
    ok("cherry-pick main");
    assert.equal(realGit(dir, "rev-list", "--count", `main..${RUN_BRANCH}`), "4");
    assert.equal(guardLogEntries(logFile).length, before, "nothing refused");
  });

  it("post-checkout records a checkout it cannot refuse", async (t) => {
    const { dir, logFile, git } = await setup(t);
    assert.equal(git("checkout --quiet main").status, 0);
    const [entry] = guardLogEntries(logFile);
    assert.deepEqual(entry, {
      ...entry,
      rule: "git checkout",
      by: "post-checkout",
      refused: false,
      cwd: dir,
    });
    assert.equal(entry?.argv.length, 3);
  });
});
