import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openProject } from "../../src/engine/index.ts";
import { knownSecrets } from "../../src/engine/known-secrets.ts";
import { git, gitRepo, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

const CONFIG = `
[workspace]
copy = ["config/local.json", "deploy/id_ed25519"]
copy_secrets = true

[agents.claude-acp]
driver = "acp"
command = ["claude-agent-acp"]
pass_env = ["MODEL_API_KEY"]
env = { AGENT_TOKEN = "agent-env-token-77" }

[vault]
secrets_file = ".gaffer/secrets.env"
`;

describe("engine/known-secrets", () => {
  it("gathers copied files, .env files, remote URL passwords, the environment, presets and the vault", async (t) => {
    const root = gitRepo(t, { "gaffer.toml": CONFIG });
    writeFiles(root, {
      ".env": "API_TOKEN=dotenv-token-1234\nPORT=3000\n",
      ".env.production": "DB_PASSWORD=prod-password-99\n",
      "config/local.json": '{ "apiKey": "copied-json-key-5" }\n',
      "deploy/id_ed25519": "-----BEGIN KEY-----\nkeymaterial0123456789\n-----END KEY-----\n",
      ".gaffer/secrets.env": "DEPLOY=vault-deploy-secret\n",
    });
    git(root, "remote", "add", "origin", "https://me:remote-url-pass@git.example.org/x.git");
    const project = await openProject(root);
    t.after(() => project.close());
    const env = { MODEL_API_KEY: "model-key-0000", PLAIN: "words", GITHUB_TOKEN: "env-github-token" };
    const found = (await knownSecrets(project, env)).map((s) => `${s.source}: ${s.value}`);
    assert.deepEqual(found, [
      "config/local.json (apiKey): copied-json-key-5",
      "deploy/id_ed25519: -----BEGIN KEY-----\nkeymaterial0123456789\n-----END KEY-----",
      ".env (API_TOKEN): dotenv-token-1234",
      ".env.production (DB_PASSWORD): prod-password-99",
      ".git/config (url): remote-url-pass",
      "environment variable MODEL_API_KEY: model-key-0000",
      "environment variable GITHUB_TOKEN: env-github-token",
      "environment variable MODEL_API_KEY ([agents.claude-acp] pass_env): model-key-0000",
      "[agents.claude-acp] env AGENT_TOKEN: agent-env-token-77",
      ".gaffer/secrets.env (DEPLOY): vault-deploy-secret",
    ]);
  });

  it("knows the tracker's token whatever its variable is called", async (t) => {
    const root = gitRepo(t, {
      "gaffer.toml":
        '[tracker]\nkind = "gitea"\nurl = "https://forge.example"\nrepo = "a/b"\ntoken_env = "FORGE_PAT"\n',
    });
    const project = await openProject(root);
    t.after(() => project.close());
    const found = (await knownSecrets(project, { FORGE_PAT: "9f86d081884c7d659a2f" })).map(
      (s) => `${s.source}: ${s.value}`,
    );
    assert.ok(
      found.includes("environment variable FORGE_PAT ([tracker] token_env): 9f86d081884c7d659a2f"),
      found.join("\n"),
    );
  });

  it("follows a link as the copy does, but never blocks on a FIFO nor reads a directory", async (t) => {
    const root = gitRepo(t, {});
    const elsewhere = tempDir(t);
    writeFiles(elsewhere, { "real.env": "API_TOKEN=linked-token-1234\n" });
    symlinkSync(join(elsewhere, "real.env"), join(root, ".env"));
    execFileSync("mkfifo", [join(root, ".env.fifo")]);
    writeFiles(root, { ".env.dir/x": "API_TOKEN=inside-a-directory\n" });
    const project = await openProject(root);
    t.after(() => project.close());
    const found = (await knownSecrets(project, {})).map((s) => s.value);
    assert.deepEqual(found, ["linked-token-1234"]);
  });
});
