import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SAMPLE_CONFIG, SAMPLE_FILES, SAMPLE_ITEMS } from "../../src/demo/sample.ts";
import { listEvents, openStore } from "../../src/store/index.ts";
import { collect, gaffer, startGaffer } from "../helpers/cli.ts";
import { type ForgeKind, startFakeForge } from "../../src/demo/forge/index.ts";
import { gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const SETUPS: Record<ForgeKind, { tracker: (url: string) => string; env: string; scopes: () => object }> = {
  github: {
    tracker: (url) => `kind = "github"\nurl = "${url}"`,
    env: "GITHUB_TOKEN",
    scopes: () => ({ kind: "classic", scopes: ["repo"] }),
  },
  gitea: {
    tracker: (url) => `kind = "forgejo"\nurl = "${url}"`,
    env: "FORGEJO_TOKEN",
    scopes: () => ({
      kind: "gitea",
      scopes: ["write:issue", "read:repository", "write:repository", "read:user"],
    }),
  },
};

for (const kind of ["github", "gitea"] as const) {
  describe(`e2e: publishing a run on ${kind}`, () => {
    it("pushes and opens one draft pull request with the evidence, exactly once across a kill, then merges through the forge's protection", async (t) => {
      const setup = SETUPS[kind];
      const forge = await startFakeForge(kind, tempDir(t));
      t.after(() => forge.close());
      const repo = forge.createRepo("acme/calc");
      forge.addCollaborator(repo, "gaffer-bot", "write");
      forge.addCollaborator(repo, "reviewer", "write");
      const token = forge.addToken("gaffer-bot", setup.scopes() as never);
      const [sample] = SAMPLE_ITEMS;
      if (!sample) throw new Error("no sample item");
      const issue = forge.createIssue(repo, { title: sample.title, body: sample.body, labels: ["backlog"] });
      const cwd = gitRepo(t, {
        ...SAMPLE_FILES,
        "gaffer.toml": `${SAMPLE_CONFIG}\n[tracker]\n${setup.tracker(forge.url)}\nrepo = "acme/calc"\n`,
      });
      const env = { [setup.env]: token };
      await forge.push(cwd, repo, token, "HEAD:refs/heads/main");

      assert.equal((await gaffer(["tracker", "sync"], { cwd, env })).code, 0);
      const run = await gaffer(["run", "1", "--plain"], { cwd, env });
      assert.equal(run.code, 0, run.stderr);

      // gaffer is killed once the forge has the pull request, before it hears back.
      const child = startGaffer(["publish", "1"], { cwd, env });
      forge.intercept("POST", /\/pulls$/, () => child.kill("SIGKILL"));
      const killed = await collect(child);
      assert.equal(killed.signal, "SIGKILL");
      const pulls = () => [...repo.issues.values()].filter((i) => i.pull);
      assert.equal(pulls().length, 1);
      assert.equal(issue.comments.length, 0);

      // The next start finishes the job: no second pull request, one comment.
      const resumed = await gaffer(["vault", "tick"], { cwd, env });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stdout, /publish-run-1/);
      const again = await gaffer(["vault", "tick"], { cwd, env });
      assert.equal(again.code, 0, again.stderr);
      const [pull] = pulls();
      assert.equal(pulls().length, 1);
      assert.equal(pull?.pull?.draft, true);
      assert.equal(pull?.pull?.head, "gaffer/1-add-a-multiply-function");
      assert.equal(issue.comments.length, 1);
      assert.match(issue.comments[0]?.body ?? "", new RegExp(`draft pull request #${pull?.number}`));
      const body = pull?.body ?? "";
      assert.match(body, /^<!-- gaffer:run:1 -->\nCloses #1\./);
      assert.match(body, /\| test \| ` node --test ` \| 0 \| \d+\.\d s \|/);
      assert.match(body, /### Integrity\n\nNo findings\./);
      assert.match(body, /### Review\n\nNot reviewed\./);
      assert.match(body, /### Cost\n\n\$0\.00/);
      const pushed = execFileSync(
        "git",
        ["-C", repo.gitDir, "rev-parse", "refs/heads/gaffer/1-add-a-multiply-function"],
        {
          encoding: "utf8",
        },
      ).trim();
      assert.equal(pull?.pull?.headSha, pushed);
      const verify = await gaffer(["vault", "verify"], { cwd, env });
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);

      // main needs an approving review: the forge refuses, and nothing is merged.
      forge.protectBranch(repo, "main", { requiredApprovals: 1 });
      const refused = await gaffer(["merge", "1"], { cwd, env });
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stdout, /refused to merge pull request #\d+/);
      assert.equal(pull?.pull?.merged, false);

      forge.model.review(repo, pull as never, forge.model.user("reviewer"), "", "APPROVED");
      const merged = await gaffer(["merge", "1"], { cwd, env });
      assert.equal(merged.code, 0, merged.stdout + merged.stderr);
      assert.equal(pull?.pull?.merged, true);
      assert.equal(pull?.pull?.draft, false);
      assert.equal(issue.state, "closed");
      assert.deepEqual(
        issue.labels.map((l) => l.name),
        ["done"],
      );
      const main = execFileSync("git", ["-C", repo.gitDir, "rev-parse", "refs/heads/main^2"], {
        encoding: "utf8",
      }).trim();
      assert.equal(main, pushed);

      const store = await openStore(join(cwd, ".gaffer", "gaffer.db"));
      const events = await listEvents(store.db, { runId: 1 });
      await store.close();
      const opened = events.filter((e) => e.type === "publish.pull-opened").map((e) => e.data);
      assert.deepEqual(
        opened.map((d) => (d as { found: boolean }).found),
        [true],
      );
      assert.ok(events.some((e) => e.type === "vault.merged"));
      const item = await gaffer(["issue", "show", "1"], { cwd, env });
      assert.match(item.stdout, /merged on acme\/calc/);

      // The token is nowhere gaffer writes, and nowhere on the forge.
      for (const file of filesUnder(join(cwd, ".gaffer"))) {
        assert.ok(!readFileSync(file).includes(token), `${file} holds the token`);
      }
      for (const text of [
        run.stdout,
        run.stderr,
        resumed.stdout,
        resumed.stderr,
        refused.stdout,
        merged.stdout,
        merged.stderr,
        body,
        ...issue.comments.map((c) => c.body),
      ]) {
        assert.ok(!text.includes(token), "a token in output or on the forge");
      }
    });
  });
}

describe("e2e: publishing with a token that may not push", () => {
  it("fails in one line naming the variable and the scope, and the token is nowhere", async (t) => {
    const forge = await startFakeForge("gitea", tempDir(t));
    t.after(() => forge.close());
    const repo = forge.createRepo("acme/calc");
    forge.addCollaborator(repo, "gaffer-bot", "write");
    const token = forge.addToken("gaffer-bot", {
      kind: "gitea",
      scopes: ["write:issue", "read:repository", "read:user"],
    });
    const [sample] = SAMPLE_ITEMS;
    if (!sample) throw new Error("no sample item");
    forge.createIssue(repo, { title: sample.title, body: sample.body, labels: ["backlog"] });
    const cwd = gitRepo(t, {
      ...SAMPLE_FILES,
      "gaffer.toml": `${SAMPLE_CONFIG}\n[tracker]\nkind = "forgejo"\nurl = "${forge.url}"\nrepo = "acme/calc"\n`,
    });
    const env = { FORGEJO_TOKEN: token };
    const owner = forge.addToken("acme", { kind: "gitea", scopes: ["all"] });
    await forge.push(cwd, repo, owner, "HEAD:refs/heads/main");
    assert.equal((await gaffer(["tracker", "sync"], { cwd, env })).code, 0);
    assert.equal((await gaffer(["run", "1", "--plain"], { cwd, env })).code, 0);

    const publish = await gaffer(["publish", "1"], { cwd, env });
    assert.equal(publish.code, 1, publish.stdout + publish.stderr);
    assert.match(
      publish.stdout,
      /FORGEJO_TOKEN may not push gaffer\/1-add-a-multiply-function to acme\/calc on 127\.0\.0\.1:\d+/,
    );
    assert.equal([...repo.issues.values()].filter((i) => i.pull).length, 0);
    for (const text of [publish.stdout, publish.stderr]) assert.ok(!text.includes(token));
    for (const file of filesUnder(join(cwd, ".gaffer"))) {
      assert.ok(!readFileSync(file).includes(token), `${file} holds the token`);
    }
  });
});
