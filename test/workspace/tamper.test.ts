import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  describeProposal,
  openEvidenceRepo,
  publishBranch,
  publishCommit,
  recordWork,
  snapshotWorkspace,
  workspaceAt,
  workspaceGit,
  worktreeFingerprint,
} from "../../src/workspace/index.ts";
import { commitAll, git, gitOut, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { RUN_BRANCH, type WorkspaceFixture, workspaceFixture } from "./fixture.ts";

const GAFFER = { name: "gaffer", email: "gaffer@example.com" };
const HOOKS = [
  "pre-commit",
  "prepare-commit-msg",
  "commit-msg",
  "post-commit",
  "post-checkout",
  "reference-transaction",
];

/** gaffer's record of the agent's work, in an evidence repository next to the workspace. */
async function recordIn({ project, ws, baseCommit }: WorkspaceFixture) {
  const repo = await openEvidenceRepo(project, `${ws.dir}.evidence.git`);
  const work = await recordWork(repo, ws, {
    branch: RUN_BRANCH,
    baseCommit,
    message: "gaffer: agent work",
    identity: GAFFER,
  });
  return { repo, work };
}

/** Everything gaffer does in a workspace after an agent turn. */
async function exerciseWorkspace(fx: WorkspaceFixture): Promise<void> {
  const { project, ws, baseCommit } = fx;
  writeFiles(ws.dir, { "README.md": "# changed by the agent\n", "added.txt": "new\n" });
  await worktreeFingerprint(ws);
  await snapshotWorkspace(project, ws, "before");
  const { repo, work } = await recordIn(fx);
  await describeProposal(repo, baseCommit, work.commit);
  await snapshotWorkspace(project, ws, "after");
  await publishCommit(project, repo, work.commit, RUN_BRANCH);
  await publishBranch(project, ws, RUN_BRANCH);
}

function plantConfig(ws: string, marker: string): void {
  writeFileSync(join(ws, ".gitattributes"), "* filter=evil diff=evil\n");
  for (const [key, value] of [
    ["filter.evil.clean", `touch ${marker}; cat`],
    ["filter.evil.smudge", `touch ${marker}; cat`],
    ["filter.evil.required", "true"],
    ["diff.evil.textconv", `touch ${marker}; cat`],
    ["core.fsmonitor", `touch ${marker}; false`],
    ["core.hooksPath", join(ws, "planted-hooks")],
  ]) {
    git(ws, "config", key as string, value as string);
  }
}

describe("workspace/tamper", () => {
  it("never runs hooks planted in the clone", async (t) => {
    const fixture = await workspaceFixture(t);
    const marker = join(tempDir(t), "HOOK-RAN");
    for (const hook of HOOKS) {
      writeFileSync(join(fixture.ws.dir, ".git/hooks", hook), `#!/bin/sh\ntouch ${marker}\n`);
      chmodSync(join(fixture.ws.dir, ".git/hooks", hook), 0o755);
    }
    await exerciseWorkspace(fixture);
    assert.equal(existsSync(marker), false);
    git(fixture.ws.dir, "commit", "--quiet", "--allow-empty", "-m", "control");
    assert.equal(existsSync(marker), true, "the planted hook does run under plain git");
  });

  it("never runs planted filters, textconv or fsmonitor, and undoes and reports the config change", async (t) => {
    const fixture = await workspaceFixture(t);
    const { ws, tampers } = fixture;
    const marker = join(tempDir(t), "FILTER-RAN");
    const pristine = readFileSync(ws.pristineConfigPath, "utf8");
    plantConfig(ws.dir, marker);
    await exerciseWorkspace(fixture);
    assert.equal(existsSync(marker), false);
    assert.equal(tampers.length, 1, "reported once, then restored");
    const [evidence] = tampers;
    assert.equal(evidence?.file, join(ws.dir, ".git/config"));
    assert.match(readFileSync(evidence?.savedAs ?? "", "utf8"), /filter "evil"/);
    assert.notEqual(evidence?.foundSha256, evidence?.expectedSha256);
    assert.equal(readFileSync(join(ws.dir, ".git/config"), "utf8"), pristine);

    plantConfig(ws.dir, marker);
    writeFiles(ws.dir, { "control.txt": "x" });
    git(ws.dir, "add", "control.txt");
    assert.equal(existsSync(marker), true, "the planted filter does run under plain git");
  });

  it("throws workspace-tampered after restoring when nobody listens", async (t) => {
    const { ws } = await workspaceFixture(t);
    git(ws.dir, "config", "include.path", join(tempDir(t), "evil.config"));
    const deaf = workspaceAt(ws.dir);
    await assert.rejects(workspaceGit(deaf, ["status"]), {
      code: "workspace-tampered",
      message: /was changed/,
    });
    assert.equal(
      readFileSync(join(ws.dir, ".git/config"), "utf8"),
      readFileSync(ws.pristineConfigPath, "utf8"),
    );
    await workspaceGit(deaf, ["status"]);
  });

  it("replaces a symlinked or deleted config", async (t) => {
    const { ws, tampers } = await workspaceFixture(t);
    const elsewhere = join(tempDir(t), "config");
    writeFileSync(elsewhere, readFileSync(ws.pristineConfigPath));
    renameSync(join(ws.dir, ".git/config"), join(ws.dir, "old-config"));
    symlinkSync(elsewhere, join(ws.dir, ".git/config"));
    await worktreeFingerprint(ws);
    assert.equal(tampers.length, 1);
    assert.equal(tampers[0]?.foundSha256, null);
    assert.ok(!gitOut(ws.dir, "rev-parse", "--git-path", "config").includes(elsewhere));
  });

  it("refuses a .git that is a gitdir file, a symlink, or redirected by commondir", async (t) => {
    const fx = await workspaceFixture(t);
    const { ws } = fx;
    const gitDir = join(ws.dir, ".git");
    renameSync(gitDir, join(ws.dir, "real-git"));
    writeFileSync(gitDir, "gitdir: real-git\n");
    await assert.rejects(worktreeFingerprint(ws), { code: "workspace-tampered", message: /not a directory/ });
    renameSync(gitDir, join(ws.dir, "gitdir-file"));
    symlinkSync(join(ws.dir, "real-git"), gitDir);
    await assert.rejects(recordIn(fx), { code: "workspace-tampered" });
    renameSync(gitDir, join(ws.dir, "gitdir-link"));
    renameSync(join(ws.dir, "real-git"), gitDir);
    writeFileSync(join(gitDir, "commondir"), "/somewhere/else\n");
    await assert.rejects(worktreeFingerprint(ws), { code: "workspace-tampered", message: /commondir/ });
  });

  it("does not run git inside a nested repository the agent planted", async (t) => {
    const fx = await workspaceFixture(t);
    const { ws } = fx;
    const marker = join(tempDir(t), "NESTED-RAN");
    const inner = join(ws.dir, "inner");
    git(ws.dir, "init", "--quiet", "inner");
    writeFiles(inner, { "f.txt": "1", ".gitattributes": "* filter=evil\n" });
    commitAll(inner, "inner");
    git(inner, "config", "core.fsmonitor", `touch ${marker}; false`);
    git(inner, "config", "filter.evil.clean", `touch ${marker}; cat`);
    git(ws.dir, "add", "inner");
    git(ws.dir, "commit", "--quiet", "-m", "embed");
    writeFiles(inner, { "f.txt": "2" });
    await worktreeFingerprint(ws);
    await recordIn(fx);
    assert.equal(existsSync(marker), false);
    gitOut(ws.dir, "status", "--porcelain");
    assert.equal(existsSync(marker), true, "plain git status does run the nested repository's fsmonitor");
  });
});
