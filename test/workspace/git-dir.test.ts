import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openEvidenceRepo, recordWork, verifyWorkspace } from "../../src/workspace/index.ts";
import { commitAll, git, gitOut, TEST_IDENTITY, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { RUN_BRANCH, workspaceFixture } from "./fixture.ts";

interface Plant {
  name: string;
  /** Plants something in the workspace's `.git`; `outside` is a directory out of the workspace. */
  plant(gitDir: string, outside: string): void;
  message: RegExp;
}

const fifo = (path: string) => {
  rmSync(path, { force: true });
  execFileSync("mkfifo", [path]);
};
const linkOut = (path: string, outside: string) => {
  rmSync(path, { recursive: true, force: true });
  symlinkSync(join(outside, "target"), path);
};

const PLANTS: Plant[] = [
  { name: "HEAD as a FIFO", plant: (g) => fifo(join(g, "HEAD")), message: /HEAD is not a regular file/ },
  {
    name: "the index as a FIFO",
    plant: (g) => fifo(join(g, "index")),
    message: /index is not a regular file/,
  },
  {
    name: "logs/HEAD linked out",
    plant: (g, o) => linkOut(join(g, "logs", "HEAD"), o),
    message: /logs\/HEAD/,
  },
  {
    name: "COMMIT_EDITMSG linked out",
    plant: (g, o) => linkOut(join(g, "COMMIT_EDITMSG"), o),
    message: /COMMIT_EDITMSG is not a regular file/,
  },
  {
    name: "an object directory linked out",
    plant: (g, o) => {
      const dir = readdirSync(join(g, "objects")).find((name) => /^[0-9a-f]{2}$/.test(name)) ?? "ab";
      mkdirSync(join(o, "target"), { recursive: true });
      linkOut(join(g, "objects", dir), o);
    },
    message: /objects\/[0-9a-f]{2} is not a regular file or a directory/,
  },
  {
    name: "a ref as a FIFO",
    plant: (g) => fifo(join(g, "refs", "heads", "side")),
    message: /refs\/heads\/side is not a regular file/,
  },
  {
    name: "a replace ref",
    plant: (g) => {
      const ws = join(g, "..");
      git(
        ws,
        "replace",
        gitOut(ws, "rev-parse", "HEAD:README.md"),
        gitOut(ws, "rev-parse", "HEAD:src/math.js"),
      );
    },
    message: /replace refs/,
  },
  {
    name: "a packed replace ref",
    plant: (g) =>
      appendFileSync(join(g, "packed-refs"), `${"a".repeat(40)} refs/replace/${"b".repeat(40)}\n`),
    message: /replace refs/,
  },
  {
    name: "grafts",
    plant: (g) => writeFileSync(join(g, "info", "grafts"), `${"a".repeat(40)}\n`),
    message: /grafts/,
  },
  {
    name: "other alternates",
    plant: (g, o) => writeFileSync(join(g, "objects", "info", "alternates"), `${o}\n`),
    message: /alternates is not the one gaffer wrote/,
  },
];

describe("workspace/integrity: the workspace's .git", () => {
  for (const plant of PLANTS) {
    it(`refuses ${plant.name}, without blocking or writing outside`, async (t) => {
      const fx = await workspaceFixture(t);
      writeFiles(fx.ws.dir, { "one.txt": "1\n" });
      commitAll(fx.ws.dir, "agent work");
      const outside = tempDir(t, "gaffer-outside-");
      plant.plant(join(fx.ws.dir, ".git"), outside);
      const repo = await openEvidenceRepo(fx.project, `${fx.ws.dir}.evidence.git`);
      const record = recordWork(repo, fx.ws, {
        branch: RUN_BRANCH,
        baseCommit: fx.baseCommit,
        message: "gaffer: work",
        identity: TEST_IDENTITY,
      });
      await assert.rejects(record, { code: "workspace-tampered", message: plant.message });
      await assert.rejects(verifyWorkspace(fx.ws), { code: "workspace-tampered" });
      assert.deepEqual(
        readdirSync(outside).filter((name) => name !== "target"),
        [],
      );
    });
  }

  it("accepts a workspace git used normally: commits, packed refs, a stash", async (t) => {
    const fx = await workspaceFixture(t);
    writeFiles(fx.ws.dir, { "one.txt": "1\n" });
    commitAll(fx.ws.dir, "agent work");
    git(fx.ws.dir, "pack-refs", "--all");
    writeFiles(fx.ws.dir, { "one.txt": "2\n" });
    git(fx.ws.dir, "stash");
    git(fx.ws.dir, "gc", "--quiet");
    await verifyWorkspace(fx.ws);
  });
});
