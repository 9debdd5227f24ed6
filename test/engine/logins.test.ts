import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { chatgptLogin, googleLogin } from "../../src/engine/logins/index.ts";
import type { GafferError } from "../../src/errors.ts";
import { fakeProvider, PROVIDER_CA } from "../helpers/fake-provider.ts";
import { tempDir } from "../helpers/tmp.ts";

const jwt = (claims: object) =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.real-signature`;
const NOW = Date.parse("2026-12-05T03:00:00Z");
const at = (ms: number) => () => ms;
const seconds = (ms: number) => Math.floor(ms / 1000);

/** A Codex auth file as `codex login` leaves it, its access token expiring at `expires`. */
function codexAuth(expires: number, access = "old") {
  return {
    auth_mode: "chatgpt",
    OPENAI_API_KEY: null,
    tokens: {
      id_token: jwt({
        email: "dev@example.com",
        exp: seconds(expires),
        "https://api.openai.com/auth": {
          chatgpt_plan_type: "plus",
          chatgpt_account_id: "acct-123",
          chatgpt_user_id: "user-9",
          secret_looking: "not copied",
        },
      }),
      access_token: jwt({ exp: seconds(expires), sub: `real-access-${access}` }),
      refresh_token: `rt-real-${access}`,
      account_id: "acct-123",
    },
    last_refresh: "2026-12-01T00:00:00Z",
  };
}

test("ChatGPT login: a token about to expire is refreshed at Codex's endpoint, outside, and saved to the user's file", async (t) => {
  const fresh = jwt({ exp: seconds(NOW + 10 * 86_400_000), sub: "real-access-new" });
  const endpoint = await fakeProvider(t, () => ({
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      access_token: fresh,
      id_token: jwt({ email: "dev@example.com" }),
      refresh_token: "rt-real-new",
    }),
  }));
  const dir = tempDir(t);
  const path = join(dir, "auth.json");
  writeFileSync(path, JSON.stringify(codexAuth(NOW + 60_000)));
  const login = chatgptLogin(
    path,
    { url: `https://${endpoint.authority}/oauth/token`, ca: [PROVIDER_CA.certificate] },
    at(NOW),
  );

  const tokens = await Promise.all([login.token(), login.token()]);
  assert.deepEqual(tokens, [fresh, fresh], "both waited for one refresh");
  assert.equal(endpoint.seen.length, 1);
  assert.equal(endpoint.seen[0]?.headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(endpoint.seen[0]?.body ?? ""), {
    client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
    grant_type: "refresh_token",
    refresh_token: "rt-real-old",
  });
  const saved = JSON.parse(readFileSync(path, "utf8"));
  assert.equal(saved.tokens.access_token, fresh);
  assert.equal(
    saved.tokens.refresh_token,
    "rt-real-new",
    "the rotated refresh token is kept for the user's Codex",
  );
  assert.equal(saved.tokens.account_id, "acct-123");
  assert.equal(saved.last_refresh, new Date(NOW).toISOString());
  assert.equal(await login.token(), fresh);
  assert.equal(endpoint.seen.length, 1, "a fresh token is not refreshed again");
});

test("ChatGPT login: a token with time left is used as it is; one another process refreshed is adopted", async (t) => {
  const endpoint = await fakeProvider(t, () => ({ status: 500, body: "no" }));
  const dir = tempDir(t);
  const path = join(dir, "auth.json");
  writeFileSync(path, JSON.stringify(codexAuth(NOW + 86_400_000)));
  const url = { url: `https://${endpoint.authority}/oauth/token`, ca: [PROVIDER_CA.certificate] };
  const login = chatgptLogin(path, url, at(NOW));
  assert.match(await login.token(), /^eyJ/);

  const later = chatgptLogin(path, url, at(NOW + 2 * 86_400_000));
  writeFileSync(path, JSON.stringify(codexAuth(NOW + 9 * 86_400_000, "other")));
  const adopted = await later.token();
  assert.equal(adopted, codexAuth(NOW + 9 * 86_400_000, "other").tokens.access_token);
  assert.equal(endpoint.seen.length, 0);
});

test("Google login: a token the provider refused (401) before its expiry is refreshed at the next request", async (t) => {
  let issued = 0;
  const endpoint = await fakeProvider(t, () => ({
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ access_token: `ya29.new-${++issued}`, expires_in: 3600 }),
  }));
  const path = join(tempDir(t), "oauth_creds.json");
  writeFileSync(
    path,
    JSON.stringify({ access_token: "ya29.revoked", refresh_token: "1//r", expiry_date: NOW + 3_600_000 }),
  );
  const login = googleLogin(
    path,
    { url: `https://${endpoint.authority}/token`, ca: [PROVIDER_CA.certificate] },
    at(NOW),
  );
  assert.equal(await login.token(), "ya29.revoked", "not due: used as it is");
  login.rejected("ya29.old-and-gone");
  assert.equal(await login.token(), "ya29.revoked", "a refusal of another token changes nothing");
  login.rejected("ya29.revoked");
  assert.equal(await login.token(), "ya29.new-1");
  assert.equal(await login.token(), "ya29.new-1", "refreshed once");
  assert.equal(endpoint.seen.length, 1);
});

test("ChatGPT login: a refused refresh is a model-login error that names no token", async (t) => {
  const endpoint = await fakeProvider(t, () => ({ status: 401, body: '{"error":"refresh_token_reused"}' }));
  const path = join(tempDir(t), "auth.json");
  writeFileSync(path, JSON.stringify(codexAuth(NOW - 1000)));
  const login = chatgptLogin(
    path,
    { url: `https://${endpoint.authority}/oauth/token`, ca: [PROVIDER_CA.certificate] },
    at(NOW),
  );
  await assert.rejects(login.token(), (error: GafferError) => {
    assert.equal(error.code, "model-login");
    assert.doesNotMatch(error.message, /rt-real|real-access/);
    return true;
  });
});

test("ChatGPT login: the sandbox's copy says who is signed in and holds no token; Codex sees nothing to refresh for years", (t) => {
  const dir = tempDir(t);
  const path = join(dir, "auth.json");
  const real = codexAuth(NOW + 86_400_000);
  writeFileSync(path, JSON.stringify(real));
  const agentDir = join(dir, "agent");
  mkdirSync(agentDir);
  const env = chatgptLogin(path, { url: "https://unused.invalid/", ca: [] }, at(NOW)).sandboxCopy(agentDir);
  assert.deepEqual(env, {});
  const text = readFileSync(join(agentDir, "auth.json"), "utf8");
  for (const secret of [
    real.tokens.access_token,
    real.tokens.refresh_token,
    real.tokens.id_token,
    "real-signature",
    "real-access",
  ])
    assert.ok(!text.includes(secret), `the copy holds ${secret.slice(0, 20)}`);
  const copy = JSON.parse(text);
  const claims = (token: string) =>
    JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
  assert.equal(copy.auth_mode, "chatgpt");
  assert.equal(copy.tokens.account_id, "acct-123");
  assert.equal(copy.tokens.refresh_token, "gaffer-placeholder-CHATGPT_REFRESH_TOKEN");
  assert.deepEqual(claims(copy.tokens.id_token)["https://api.openai.com/auth"], {
    chatgpt_plan_type: "plus",
    chatgpt_account_id: "acct-123",
    chatgpt_user_id: "user-9",
  });
  assert.equal(claims(copy.tokens.id_token).email, "dev@example.com");
  assert.ok(
    claims(copy.tokens.access_token).exp * 1000 > NOW + 5 * 365 * 86_400_000,
    "the placeholder lasts years",
  );
  assert.ok(Date.parse(copy.last_refresh) > NOW + 5 * 365 * 86_400_000);
});

test("a missing or API-key-only login is a model-login error with a hint", (t) => {
  const dir = tempDir(t);
  const endpoint = { url: "https://unused.invalid/", ca: [] };
  assert.throws(() => chatgptLogin(join(dir, "none.json"), endpoint), {
    code: "model-login",
    message: /no Codex login here/,
  });
  writeFileSync(join(dir, "key.json"), JSON.stringify({ OPENAI_API_KEY: "sk-x" }));
  assert.throws(() => chatgptLogin(join(dir, "key.json"), endpoint), {
    code: "model-login",
    message: /no ChatGPT tokens/,
  });
  assert.throws(() => googleLogin(join(dir, "none.json"), endpoint), {
    code: "model-login",
    message: /no Gemini CLI login/,
  });
});

test("Google login: refreshed with Gemini CLI's client as a form, expiry saved; the sandbox gets a placeholder variable and no file", async (t) => {
  const endpoint = await fakeProvider(t, () => ({
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      access_token: "ya29.real-new",
      expires_in: 3599,
      token_type: "Bearer",
      scope: "s",
    }),
  }));
  const dir = tempDir(t);
  const path = join(dir, "oauth_creds.json");
  writeFileSync(
    path,
    JSON.stringify({
      access_token: "ya29.real-old",
      refresh_token: "1//real-refresh",
      expiry_date: NOW + 1000,
      token_type: "Bearer",
      id_token: "idt",
    }),
  );
  const login = googleLogin(
    path,
    { url: `https://${endpoint.authority}/token`, ca: [PROVIDER_CA.certificate] },
    at(NOW),
  );
  assert.equal(await login.token(), "ya29.real-new");
  const form = new URLSearchParams(endpoint.seen[0]?.body);
  assert.equal(endpoint.seen[0]?.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(form.get("grant_type"), "refresh_token");
  assert.equal(form.get("refresh_token"), "1//real-refresh");
  assert.match(form.get("client_id") ?? "", /\.apps\.googleusercontent\.com$/);
  const saved = JSON.parse(readFileSync(path, "utf8"));
  assert.deepEqual(
    { ...saved },
    {
      access_token: "ya29.real-new",
      refresh_token: "1//real-refresh",
      expiry_date: NOW + 3_599_000,
      token_type: "Bearer",
      scope: "s",
      id_token: "idt",
    },
  );

  const agentDir = tempDir(t);
  assert.deepEqual(login.sandboxCopy(agentDir), {
    GOOGLE_GENAI_USE_GCA: "true",
    GOOGLE_CLOUD_ACCESS_TOKEN: "gaffer-placeholder-GOOGLE_CLOUD_ACCESS_TOKEN",
  });
  assert.deepEqual(readdirSync(agentDir), []);
});
