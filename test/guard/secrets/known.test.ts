import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { declaredSecret, secretsFromEnv, secretsInFile } from "../../../src/guard/secrets/index.ts";

const values = (secrets: { value: string }[]) => secrets.map((s) => s.value);

describe("guard/secrets/known", () => {
  it("takes credentials by name and random-looking values from the environment, nothing else", () => {
    const env = {
      GITHUB_TOKEN: "s3cr3t-token-4242",
      DB_PASSWORD: "correct horse battery",
      SESSION_SIGNING: "q8Fz2LmR7vXc4Np1Kt6W",
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: "/home/someone",
      PWD: "/home/someone/project",
      SSH_AUTH_SOCK: "/tmp/ssh-abc/agent.1",
      NODE_OPTIONS: "--experimental-strip-types",
      NODE_ENV: "production",
      API_KEY: "short",
      AUTH_URL: "https://auth.example.org/login",
      DATABASE_URL: "postgres://app:Pa55w0rdXyz@db:5432/app",
      LANG: "en_US.UTF-8",
      VERSION: "22.13.1-build.20260101",
      GITHUB_SHA: "3f0c2a9be1d47c8e5a6b0f9d2c1e4a7b8d9f0e1c",
      INVOCATION_ID: "0f4c9a2e-7b1d-4c3e-9a8f-5d6e7f8a9b0c",
      UNSET: undefined,
    };
    assert.deepEqual(secretsFromEnv(env), [
      { value: "s3cr3t-token-4242", source: "environment variable GITHUB_TOKEN" },
      { value: "correct horse battery", source: "environment variable DB_PASSWORD" },
      { value: "q8Fz2LmR7vXc4Np1Kt6W", source: "environment variable SESSION_SIGNING" },
      { value: "Pa55w0rdXyz", source: "environment variable DATABASE_URL" },
    ]);
  });

  it("names the source as told", () => {
    assert.deepEqual(
      secretsFromEnv({ ANTHROPIC_API_KEY: "sk-ant-0123456789" }, (n) => `[agents.c] env ${n}`),
      [{ value: "sk-ant-0123456789", source: "[agents.c] env ANTHROPIC_API_KEY" }],
    );
  });

  it("reads KEY=value lines of a .env file: exports, quotes, comments", () => {
    const text = [
      "# local settings",
      "export API_TOKEN='s3cr3t-token-4242'",
      'STRIPE_SECRET_KEY="sk_test_0123456789abcdef"',
      "PORT=3000",
      "NODE_ENV=development",
      "SIGNING=q8Fz2LmR7vXc4Np1Kt6W # rotated monthly",
      "",
    ].join("\n");
    assert.deepEqual(secretsInFile(".env.local", text), [
      { value: "s3cr3t-token-4242", source: ".env.local (API_TOKEN)" },
      { value: "sk_test_0123456789abcdef", source: ".env.local (STRIPE_SECRET_KEY)" },
      { value: "q8Fz2LmR7vXc4Np1Kt6W", source: ".env.local (SIGNING)" },
    ]);
  });

  it("reads .npmrc, netrc, YAML and JSON credentials, and a key file's whole content", () => {
    assert.deepEqual(
      values(secretsInFile(".npmrc", "//registry.npmjs.org/:_authToken=npm_abcdef0123456789\n")),
      ["npm_abcdef0123456789", "//registry.npmjs.org/:_authToken=npm_abcdef0123456789"],
    );
    assert.deepEqual(
      values(secretsInFile(".netrc", "machine example.org login me password hunter2hunter2\n")),
      ["hunter2hunter2", "machine example.org login me password hunter2hunter2"],
    );
    assert.deepEqual(
      values(secretsInFile("config/app.yml", "db:\n  password: Tr0ub4dor&3xyz\n  host: db\n")),
      ["Tr0ub4dor&3xyz"],
    );
    assert.deepEqual(
      values(secretsInFile("credentials.json", '{\n  "client_secret": "abc123def456ghi789",\n  "x": 1\n}')),
      ["abc123def456ghi789", '{\n  "client_secret": "abc123def456ghi789",\n  "x": 1\n}'],
    );
    const key = "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END KEY-----";
    assert.deepEqual(values(secretsInFile("deploy/id_ed25519", `${key}\n`)), [key]);
  });

  it("takes a declared secret unless it is too short or a common word", () => {
    assert.deepEqual(declaredSecret(" abcdefgh12 ", "x"), [{ value: "abcdefgh12", source: "x" }]);
    assert.deepEqual(
      [
        ...declaredSecret("short", "x"),
        ...declaredSecret(undefined, "x"),
        ...declaredSecret("password", "x"),
      ],
      [],
    );
  });
});
