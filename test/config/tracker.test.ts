import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DISINTO_LABELS, parseConfig } from "../../src/config/index.ts";

const parse = (text: string) => parseConfig(text, "/p/gaffer.toml", "/p", {});

function problem(text: string): { message: string; hint: string | undefined } {
  try {
    parse(text);
  } catch (error) {
    const e = error as { code: string; message: string; hint?: string };
    assert.equal(e.code, "config-invalid");
    return { message: e.message, hint: e.hint };
  }
  assert.fail("expected a config error");
}

describe("config [tracker]", () => {
  it("compiles a GitHub token tracker with disinto's labels by default", () => {
    const { tracker } = parse('[tracker]\nkind = "github"\nrepo = "acme/app"\n');
    assert.deepEqual(tracker, {
      kind: "github",
      flavour: "github",
      url: "https://api.github.com",
      repo: "acme/app",
      auth: { kind: "token", env: "GITHUB_TOKEN" },
      assignee: undefined,
      labels: DISINTO_LABELS,
      pollMs: 300_000,
      webhook: undefined,
      publish: "manual",
    });
  });

  it("compiles a webhook receiver and a poll interval, and keeps the webhook's secret out of sandboxes", () => {
    const { tracker } = parse(
      '[tracker]\nkind = "github"\nrepo = "a/b"\npoll = "90s"\n[tracker.webhook]\nlisten = "0.0.0.0:8787"\n',
    );
    assert.equal(tracker?.pollMs, 90_000);
    assert.deepEqual(tracker?.webhook, { host: "0.0.0.0", port: 8787, secretEnv: "GAFFER_WEBHOOK_SECRET" });
    assert.match(
      problem('[tracker]\nkind = "github"\nrepo = "a/b"\n[tracker.webhook]\nlisten = "8787"\n').message,
      /:5: tracker\.webhook\.listen: write it as "host:port"/,
    );
    assert.match(
      problem('[tracker]\nkind = "github"\nrepo = "a/b"\npoll = "soon"\n').message,
      /:4: tracker\.poll: a duration of at least a second/,
    );
    assert.match(
      problem(
        '[sandbox]\nenv = ["HOOK_SECRET"]\n[tracker]\nkind = "github"\nrepo = "a/b"\n[tracker.webhook]\nlisten = "127.0.0.1:1"\nsecret_env = "HOOK_SECRET"\n',
      ).message,
      /:2: \[sandbox\] env lists HOOK_SECRET, the webhook's secret/,
    );
  });

  it("serves Forgejo with the Gitea tracker, labels overridden key by key", () => {
    const { tracker } = parse(
      '[tracker]\nkind = "forgejo"\nurl = "https://codeberg.org/"\nrepo = "acme/app"\n[tracker.labels]\nready = ["gaffer"]\nin_progress = "gaffer:working"\n',
    );
    assert.equal(tracker?.kind, "gitea");
    assert.equal(tracker?.url, "https://codeberg.org");
    assert.deepEqual(tracker?.auth, { kind: "token", env: "FORGEJO_TOKEN" });
    assert.deepEqual(tracker?.labels.ready, ["gaffer"]);
    assert.equal(tracker?.labels.inProgress, "gaffer:working");
    assert.equal(tracker?.labels.priority, "priority");
  });

  it("resolves a GitHub App's key file against the project", () => {
    const { tracker } = parse(
      '[tracker]\nkind = "github"\nrepo = "a/b"\napp_id = 7\nprivate_key_file = "keys/app.pem"\nassignee = "bot"\n',
    );
    assert.deepEqual(tracker?.auth, {
      kind: "app",
      appId: 7,
      privateKeyFile: "/p/keys/app.pem",
      installationId: undefined,
    });
  });

  it("names the line of each mistake", () => {
    assert.deepEqual(problem('[tracker]\nkind = "gitea"\nrepo = "acme/app"\n'), {
      message: "/p/gaffer.toml:2: [tracker] gitea needs url",
      hint: 'add url = "https://your-forge.example" to [tracker]',
    });
    assert.match(
      problem('[tracker]\nkind = "github"\nrepo = "acme"\n').message,
      /^\/p\/gaffer\.toml:3: tracker\.repo: write it as "owner\/name"/,
    );
    assert.match(
      problem('[tracker]\nkind = "github"\nrepo = "a/b"\napp_id = 7\nprivate_key_file = "k.pem"\n').message,
      /:4: \[tracker\] app_id needs assignee: a GitHub App cannot be assigned/,
    );
    assert.match(
      problem('[tracker]\nkind = "github"\nrepo = "a/b"\ntoken = "ghp_x"\n').message,
      /:4: unknown key "token" in \[tracker\]/,
    );
  });

  it("refuses to hand the tracker's token to a sandbox or an agent", () => {
    assert.match(
      problem('[sandbox]\nenv = ["GITHUB_TOKEN"]\n[tracker]\nkind = "github"\nrepo = "a/b"\n').message,
      /:2: \[sandbox\] env lists GITHUB_TOKEN, the tracker's token/,
    );
    assert.match(
      problem(
        '[agents.mine]\ndriver = "command"\ncommand = "x"\npass_env = ["FORGE_PAT"]\n[tracker]\nkind = "github"\nrepo = "a/b"\ntoken_env = "FORGE_PAT"\n',
      ).message,
      /:4: \[agents\.mine\] pass_env lists FORGE_PAT, the tracker's token: the agent would hold it/,
    );
  });
});
