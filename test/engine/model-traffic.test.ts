import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { agentPreset, parseConfig } from "../../src/config/index.ts";
import { runLogins } from "../../src/engine/logins/index.ts";
import { modelKeys } from "../../src/engine/model-traffic.ts";
import { tempDir } from "../helpers/tmp.ts";

const ENV = {
  ANTHROPIC_API_KEY: "sk-ant-real",
  CLAUDE_CODE_OAUTH_TOKEN: "oauth-real",
  OPENAI_API_KEY: "sk-openai-real",
  GATEWAY_KEY: "gw-real",
};

function config(text = "") {
  return parseConfig(text, "/p/gaffer.toml", "/p", ENV);
}

describe("engine/model-traffic", () => {
  it("in a sandbox, a built-in preset's model hosts get the keys it passes and gaffer holds; no key enters", () => {
    const c = config();
    const keys = modelKeys(c, agentPreset(c, "claude"), ["api.anthropic.com"], true, ENV);
    assert.deepEqual(keys.injected, [
      {
        host: "api.anthropic.com",
        api: "anthropic",
        variables: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
      },
    ]);
    assert.deepEqual(keys.passed, []);
    assert.deepEqual(keys.traffic?.routes[0]?.credentials, [
      { variable: "ANTHROPIC_API_KEY", header: "x-api-key", value: "sk-ant-real" },
      { variable: "CLAUDE_CODE_OAUTH_TOKEN", header: "authorization", value: "oauth-real" },
    ]);
  });

  it("a key the agent is not entitled to is never added, and a host off the allowlist gets no route", () => {
    const c = config();
    // claude's preset does not pass OPENAI_API_KEY, even with api.openai.com allowed by [sandbox] hosts.
    const keys = modelKeys(c, agentPreset(c, "claude"), ["api.anthropic.com", "api.openai.com"], true, ENV);
    assert.deepEqual(
      keys.injected.map((h) => h.host),
      ["api.anthropic.com"],
    );
    const none = modelKeys(c, agentPreset(c, "claude"), [], true, ENV);
    assert.equal(none.traffic, undefined);
    assert.deepEqual(
      none.passed,
      ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
      "a gateway not declared gets the key as before",
    );
  });

  it("a model host of your own: its API, its keys, its upstream, and the CA files gaffer trusts for it", (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    const c = parseConfig(
      `[sandbox]\nenv = ["GATEWAY_KEY"]\n\n[models]\nca = ["ca.pem"]\n\n[models.hosts."llm.internal:8443"]\napi = "openai"\nkeys = ["GATEWAY_KEY"]\nupstream = "10.0.0.5:8443"\n`,
      join(dir, "gaffer.toml"),
      dir,
      ENV,
    );
    const keys = modelKeys(c, agentPreset(c, "scripted"), ["llm.internal:8443"], true, ENV);
    assert.deepEqual(keys.traffic, {
      routes: [
        {
          host: "llm.internal:8443",
          api: "openai",
          upstream: "10.0.0.5:8443",
          credentials: [{ variable: "GATEWAY_KEY", header: "authorization", value: "gw-real" }],
        },
      ],
      upstreamCa: ["-----BEGIN CERTIFICATE-----\n"],
    });
  });

  it('without a sandbox, or with keys = "pass", every key enters the agent\'s environment as before', () => {
    const c = config();
    const unconfined = modelKeys(c, agentPreset(c, "claude"), ["api.anthropic.com"], false, ENV);
    assert.deepEqual(unconfined, {
      traffic: undefined,
      injected: [],
      passed: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
    });
    const passing = config('[models]\nkeys = "pass"\n');
    assert.equal(
      modelKeys(passing, agentPreset(passing, "claude"), ["api.anthropic.com"], true, ENV).traffic,
      undefined,
    );
  });

  it("a CA file that cannot be read is a configuration error naming it", () => {
    const c = config('[models]\nca = ["missing.pem"]\n');
    assert.throws(
      () => modelKeys(c, agentPreset(c, "claude"), ["api.anthropic.com"], true, ENV),
      /\[models\] ca: cannot read \/p\/missing\.pem: ENOENT/,
    );
  });

  it("[models] logins: a run's own agent login goes first on its host (which must be allowlisted), with a [models.hosts] upstream; other agents' logins are not read", async (t) => {
    const home = tempDir(t);
    mkdirSync(join(home, ".gemini"));
    writeFileSync(
      join(home, ".gemini", "oauth_creds.json"),
      JSON.stringify({
        access_token: "ya29.real",
        refresh_token: "1//r",
        expiry_date: Date.now() + 3_600_000,
      }),
    );
    const c = config(
      '[models]\nlogins = ["google", "chatgpt"]\n[models.hosts."cloudcode-pa.googleapis.com"]\napi = "gemini"\nupstream = "127.0.0.1:9"\n',
    );
    const env = { HOME: home, GEMINI_API_KEY: "g-real" };
    const logins = runLogins(c, agentPreset(c, "gemini"), env);
    assert.deepEqual(
      logins.map((l) => l.name),
      ["google"],
      "no Codex file is read for Gemini",
    );
    const keys = modelKeys(c, agentPreset(c, "gemini"), ["cloudcode-pa.googleapis.com"], true, env, logins);
    const route = keys.traffic?.routes.find((r) => r.host === "cloudcode-pa.googleapis.com");
    assert.equal(route?.upstream, "127.0.0.1:9");
    assert.equal(route?.credentials[0]?.variable, "Google login");
    assert.equal(await route?.credentials[0]?.token?.(), "ya29.real");
    assert.throws(
      () => modelKeys(c, agentPreset(c, "gemini"), ["generativelanguage.googleapis.com"], true, env, logins),
      {
        code: "config-invalid",
        message:
          /Google login is used on cloudcode-pa\.googleapis\.com, which this run's sandbox does not allow/,
      },
      "a login off the allowlist is said, not silently unused",
    );
    assert.throws(() => runLogins(c, agentPreset(c, "codex"), env), { code: "model-login" });
  });
});
