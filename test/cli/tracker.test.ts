import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { startFakeForge } from "../../src/demo/forge/index.ts";
import { gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

/** A fake GitHub with acme/app, and a token of gaffer-bot, who may write to it. */
async function forgeWithBot(t: TestContext) {
  const forge = await startFakeForge("github", tempDir(t));
  t.after(() => forge.close());
  const repo = forge.createRepo("acme/app");
  forge.addCollaborator(repo, "gaffer-bot", "write");
  const token = forge.addToken("gaffer-bot", { kind: "classic", scopes: ["repo"] });
  return { forge, repo, token };
}

describe("gaffer tracker", () => {
  it("checks the token, syncs ready issues into `gaffer issue list`, and never prints the token", async (t) => {
    const { forge, repo, token } = await forgeWithBot(t);
    forge.createIssue(repo, { title: "Add a --verbose flag", labels: ["backlog"] });
    forge.createIssue(repo, { title: "Not yet", labels: ["vision"] });
    const cwd = gitRepo(t, {
      "gaffer.toml": `[tracker]\nkind = "github"\nurl = "${forge.url}"\nrepo = "acme/app"\ntoken_env = "ACME_TOKEN"\n`,
    });
    const env = { ACME_TOKEN: token };

    const check = await gaffer(["tracker", "check"], { cwd, env });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /ok {2}ACME_TOKEN is accepted: gaffer-bot/);

    const sync = await gaffer(["tracker", "sync"], { cwd, env });
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(
      sync.stdout,
      /acme\/app on 127\.0\.0\.1:\d+: 1 issues read, 1 new items, 0 changed\n {2}#1 Add a --verbose flag/,
    );
    const list = await gaffer(["issue", "list"], { cwd, env });
    assert.match(list.stdout, /#1 +0 +open +Add a --verbose flag +backlog/);
    const show = await gaffer(["issue", "show", "1"], { cwd, env });
    assert.match(show.stdout, /issue #1: http:\/\/127\.0\.0\.1:\d+\/acme\/app\/issues\/1/);

    const refused = await gaffer(["tracker", "check"], {
      cwd,
      env: { ACME_TOKEN: "ghp_wrong_value_0000000000000" },
    });
    assert.equal(refused.code, 78);
    assert.match(
      refused.stderr,
      /^gaffer: ACME_TOKEN was refused by acme\/app on 127\.0\.0\.1:\d+ \(401: Bad credentials\) — /,
    );
    assert.equal(refused.stderr.trim().split("\n").length, 1);
    for (const output of [check, sync, list, show, refused]) {
      assert.doesNotMatch(output.stdout + output.stderr, new RegExp(token));
      assert.doesNotMatch(output.stdout + output.stderr, /ghp_wrong_value/);
    }
  });

  it("stores an issue that quotes the token with the token cut out", async (t) => {
    const { forge, repo, token } = await forgeWithBot(t);
    forge.createIssue(repo, {
      title: `Rotate ${token}`,
      body: `CI printed our token: ${token}\nPlease rotate it.`,
      labels: ["backlog"],
    });
    const cwd = gitRepo(t, {
      "gaffer.toml": `[tracker]\nkind = "github"\nurl = "${forge.url}"\nrepo = "acme/app"\ntoken_env = "ACME_TOKEN"\n`,
    });
    const env = { ACME_TOKEN: token };
    assert.equal((await gaffer(["tracker", "sync"], { cwd, env })).code, 0);
    const shown = await gaffer(["issue", "show", "1", "--json"], { cwd, env });
    assert.equal(shown.code, 0, shown.stderr);
    const item = JSON.parse(shown.stdout) as { title: string; body: string };
    assert.ok(!item.title.includes(token) && !item.body.includes(token), "the token is not stored");
    assert.match(item.body, /CI printed our token: \[redacted\]/);
  });

  it("says when gaffer.toml has no [tracker]", async (t) => {
    const cwd = gitRepo(t, {});
    const result = await gaffer(["tracker", "sync"], { cwd });
    assert.equal(result.code, 78);
    assert.match(
      result.stderr,
      /gaffer: gaffer\.toml: no \[tracker\] — add \[tracker\] with kind, repo and token_env/,
    );
  });
});
