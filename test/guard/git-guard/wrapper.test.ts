import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { guardLogEntries, installGitGuard, prepareGuardLog } from "../../../src/guard/index.ts";
import { git, gitRepo } from "../../helpers/git.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { guardFixture, REAL_GIT, realGit, shell } from "./fixture.ts";

const RUN = "gaffer/7-fix-parser";

/** A repository on the run branch, one commit ahead of main, with the wrapper on PATH. */
async function setup(t: TestContext) {
  const dir = gitRepo(t, { "a.txt": "a\n" });
  git(dir, "switch", "--quiet", "-c", RUN);
  writeFileSync(join(dir, "a.txt"), "a2\n");
  git(dir, "commit", "--quiet", "-am", "run work");
  const guard = await guardFixture(t, RUN);
  const run = (script: string, env: Record<string, string> = {}) =>
    shell(script, dir, { ...guard.env, ...env });
  return { dir, ...guard, run, main: realGit(dir, "rev-parse", "main"), tip: realGit(dir, "rev-parse", RUN) };
}

const DENIED: [script: string, rule: string][] = [
  ["git push", "git push"],
  ["git -C . push", "git push"],
  ["git --git-dir=.git push origin HEAD", "git push"],
  ["git --no-pager -p push", "git push"],
  ["env git push", "git push"],
  ["git send-pack /tmp/x main", "git send-pack"],
  ["git -c core.hooksPath=/tmp/h commit --allow-empty -m x", "git config"],
  ["git -c CORE.HOOKSPATH=/tmp/h status", "git config"],
  ["git -c alias.p=push p", "git config"],
  ["git --config-env=alias.p=HOME p", "git config"],
  ["git --config-env core.fsmonitor=HOME status", "git config"],
  ["GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.p GIT_CONFIG_VALUE_0=push git p", "git config"],
  [`GIT_CONFIG_PARAMETERS="'core.hookspath'='/tmp/h'" git status`, "git config"],
  ["git reset --hard HEAD~1", "git reset"],
  ["git checkout main", "git checkout"],
  ["git checkout -b side", "git checkout"],
  ["git switch main", "git switch"],
  ["git switch -c side", "git switch"],
  ["git restore a.txt", "git restore"],
  ["git clean -fd", "git clean"],
  ["git clean -d -f", "git clean"],
  ["git branch -D main", "git branch"],
  ["git branch -m main old", "git branch"],
  ["git branch side", "git branch"],
  ["git update-ref refs/heads/main HEAD", "git update-ref"],
  ["GIT_DIR=.git git update-ref refs/heads/main HEAD", "git update-ref"],
  [`git update-ref -d refs/heads/${RUN}`, "git update-ref"],
  ["git update-ref --stdin", "git update-ref"],
  ["git symbolic-ref HEAD refs/heads/main", "git symbolic-ref"],
  ["git filter-branch --force HEAD", "git filter-branch"],
  ["git filter-repo --force", "git filter-repo"],
  ["git rebase -i HEAD~1", "git rebase"],
  ["git worktree add ../elsewhere", "git worktree"],
  ["git worktree prune", "git worktree"],
  ["git remote add origin /tmp/x", "git remote"],
  ["git remote -v set-url origin /tmp/x", "git remote"],
  ["git config core.hooksPath /tmp/h", "git config"],
  ["git config alias.x push", "git config"],
  ["git config --global alias.x push", "git config"],
  ["git config include.path /tmp/c", "git config"],
  ["git config --edit", "git config"],
  ["git --frobnicate status", "git --frobnicate"],
];

describe("guard/git-guard/wrapper", () => {
  it("refuses every denied form with the rule, exit 1 and a log line", async (t) => {
    const { dir, logFile, run, main, tip } = await setup(t);
    for (const [script, rule] of DENIED) {
      const result = run(`${script} </dev/null`);
      assert.equal(result.status, 1, script);
      assert.match(result.stderr, new RegExp(`^denied by gaffer policy: ${rule} \\(`), script);
    }
    const entries = guardLogEntries(logFile);
    assert.deepEqual(
      entries.map((entry) => entry.rule),
      DENIED.map(([, rule]) => rule),
    );
    assert.deepEqual(entries[1], {
      ...entries[1],
      argv: ["-C", ".", "push"],
      cwd: dir,
      by: "wrapper",
      refused: true,
    });
    assert.ok(entries.every((entry) => Math.abs(entry.at - Date.now()) < 60_000));
    assert.equal(realGit(dir, "rev-parse", "main"), main, "main never moved");
    assert.equal(realGit(dir, "rev-parse", RUN), tip, "the run branch never moved");
    assert.equal(realGit(dir, "symbolic-ref", "HEAD"), `refs/heads/${RUN}`);
    assert.equal(realGit(dir, "branch", "--list", "side"), "");
  });

  it("refuses aliases, however they were defined, and unknown commands", async (t) => {
    const { dir, run } = await setup(t);
    const config = join(tempDir(t), "gitconfig");
    writeFileSync(config, "[alias]\n\tco = checkout\n");
    const result = run("git co main", { GIT_CONFIG_GLOBAL: config });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /denied by gaffer policy: git alias \('co' is not a git command/);
    assert.equal(run("git frobnicate").status, 1);
    assert.equal(realGit(dir, "symbolic-ref", "HEAD"), `refs/heads/${RUN}`);
  });

  it("passes ordinary work through to the real git", async (t) => {
    const { dir, logFile, run, tip } = await setup(t);
    const ok = (script: string) => {
      const result = run(script);
      assert.equal(result.status, 0, `${script}: ${result.stderr}`);
      return result.stdout;
    };
    assert.equal(ok("git status --short"), "");
    ok("echo b > b.txt && git add b.txt && git commit --quiet -m 'push the limits'");
    assert.match(ok("git log --oneline -1"), /push the limits/);
    assert.match(ok("git -c color.ui=never --no-pager diff HEAD~1 --stat"), /b\.txt/);
    assert.match(ok("git branch"), new RegExp(`\\* ${RUN}`));
    assert.match(ok("git branch -a --contains HEAD"), new RegExp(RUN));
    assert.equal(ok("git symbolic-ref HEAD").trim(), `refs/heads/${RUN}`);
    assert.equal(ok("git -C . rev-parse --abbrev-ref HEAD").trim(), RUN);
    ok(`git update-ref refs/heads/${RUN} ${tip} && git update-ref HEAD ${tip}`);
    assert.equal(realGit(dir, "rev-parse", RUN), tip, "the run branch may be moved");
    for (const script of ["git stash list", "git clean -n", "git config user.name", "git worktree list"])
      ok(script);
    for (const script of ["git remote -v", "git --version", "git show --stat HEAD", "git grep -q a2"])
      ok(script);
    assert.deepEqual(guardLogEntries(logFile), []);
  });

  it("is an executable sh script that execs the real git", async (t) => {
    const { binDir } = await setup(t);
    const path = join(binDir, "git");
    assert.equal(statSync(path).mode & 0o111, 0o111);
    assert.match(shell(`sh -n ${path} && echo ok`, binDir).stdout, /ok/);
    await assert.rejects(
      installGitGuard({ binDir, realGit: "git", runBranch: RUN, logFile: join(binDir, "log") }),
      /absolute path/,
    );
    await assert.rejects(
      installGitGuard({ binDir, realGit: join(binDir, "git"), runBranch: RUN, logFile: join(binDir, "log") }),
      /outside/,
    );
    assert.ok(REAL_GIT.startsWith("/"));
  });
});

describe("guard/git-guard/log", () => {
  it("reads nothing from a missing log and skips lines that are not entries", (t) => {
    const dir = tempDir(t);
    assert.deepEqual(guardLogEntries(join(dir, "none.jsonl")), []);
    const good = { rule: "git push", argv: ["push"], cwd: "/w", at: 1, by: "wrapper", refused: true };
    const lines = [
      JSON.stringify(good),
      "not json",
      '{"rule":"git push"}',
      JSON.stringify({ ...good, by: "me" }),
    ];
    writeFileSync(join(dir, "log.jsonl"), `${lines.join("\n")}\n{"rule":"half`);
    assert.deepEqual(guardLogEntries(join(dir, "log.jsonl")), [good]);
  });

  it("refuses a log an agent swapped for a FIFO or a symlink, and prepareGuardLog replaces it", (t) => {
    const dir = tempDir(t);
    const log = join(dir, "guard", "denials.jsonl");
    mkdirSync(join(dir, "guard"));
    execFileSync("mkfifo", [log]);
    assert.throws(() => guardLogEntries(log), /is a FIFO/);
    assert.equal(prepareGuardLog(log), "fifo");
    assert.deepEqual(guardLogEntries(log), []);

    const good = { rule: "git push", argv: ["push"], cwd: "/w", at: 1, by: "wrapper", refused: true };
    writeFileSync(join(dir, "elsewhere.jsonl"), `${JSON.stringify(good)}\n`);
    rmSync(log);
    symlinkSync(join(dir, "elsewhere.jsonl"), log);
    assert.throws(() => guardLogEntries(log), /symbolic link/);
    assert.equal(prepareGuardLog(log), "symlink");
    assert.ok(lstatSync(log).isFile());

    writeFileSync(log, `${JSON.stringify(good)}\n`);
    assert.equal(prepareGuardLog(log), undefined, "a regular log is kept");
    assert.deepEqual(guardLogEntries(log), [good]);
  });

  it("asks git where its programs are once per binary, and again once it is replaced", async (t) => {
    const dir = tempDir(t, "gaffer-guard-facts-");
    const asked = join(dir, "asked");
    const counting = join(dir, "git");
    const install = (name: string) =>
      installGitGuard({
        binDir: join(dir, name),
        realGit: counting,
        runBranch: RUN,
        logFile: join(dir, `${name}.log`),
      });
    writeFileSync(counting, `#!/bin/sh\necho "$*" >> ${asked}\nexec ${REAL_GIT} "$@"\n`, { mode: 0o755 });
    await install("first");
    await install("second");
    assert.deepEqual(readFileSync(asked, "utf8").trim().split("\n").sort(), [
      "--exec-path",
      "--list-cmds=builtins",
    ]);
    rmSync(counting);
    writeFileSync(counting, `#!/bin/sh\necho "$*" >> ${asked}\nexec ${REAL_GIT} "$@"\n`, { mode: 0o755 });
    await install("third");
    assert.equal(readFileSync(asked, "utf8").trim().split("\n").length, 4);
  });
});
