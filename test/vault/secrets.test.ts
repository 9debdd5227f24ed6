import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { assertHiddenFromAgents, Secrets } from "../../src/vault/secrets.ts";
import { writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

function secretsFile(t: TestContext, text: string, mode = 0o600): { root: string; file: string } {
  const root = tempDir(t, "gaffer-secrets-");
  const file = join(root, ".gaffer", "secrets.env");
  writeFiles(root, { ".gaffer/secrets.env": text });
  chmodSync(file, mode);
  return { root, file };
}

describe("vault secrets", () => {
  it("reads NAME=value lines, then the environment, and only the names asked for", (t) => {
    const { root } = secretsFile(
      t,
      `# deploy\nDEPLOY_KEY=abc=def\nexport NPM_TOKEN="npm 123"\n\nQUOTED='x'\n`,
    );
    const secrets = Secrets.load(root, ".gaffer/secrets.env", {
      GITHUB_TOKEN: "from-env",
      DEPLOY_KEY: "env-loses",
    });
    assert.deepEqual(secrets.resolve(["DEPLOY_KEY", "NPM_TOKEN", "GITHUB_TOKEN"]), {
      DEPLOY_KEY: "abc=def",
      NPM_TOKEN: "npm 123",
      GITHUB_TOKEN: "from-env",
    });
    assert.deepEqual(secrets.resolve([]), {});
    assert.throws(() => secrets.resolve(["DEPLOY_KEY", "CODEBERG_TOKEN"]), {
      code: "config-invalid",
      message: /^secret CODEBERG_TOKEN is in neither \S*secrets\.env nor the environment$/,
    });
  });

  it("redacts every value of the file and the declared secrets from the environment", (t) => {
    const { root } = secretsFile(t, "A=short-one\nB=short-one-longer\n");
    const redact = Secrets.load(root, ".gaffer/secrets.env", {
      GITHUB_TOKEN: "ghp_123",
      OTHER: "other-value",
    }).redactor(["GITHUB_TOKEN"]);
    assert.equal(
      redact("a short-one-longer, short-one, ghp_123 and other-value"),
      "a [redacted], [redacted], [redacted] and other-value",
    );
  });

  it("refuses a file others can read, a malformed line, and a file an agent's workspace could hold", (t) => {
    const open = secretsFile(t, "A=1\n", 0o644);
    assert.throws(() => Secrets.load(open.root, ".gaffer/secrets.env"), {
      message: /secrets\.env can be read by others \(mode 644\)$/,
      hint: /^chmod 600 /,
    });
    const bad = secretsFile(t, "A=1\nnot a secret\n");
    assert.throws(() => Secrets.load(bad.root, ".gaffer/secrets.env"), {
      message: /secrets\.env:2: expected NAME=value$/,
    });
    const inside = tempDir(t, "gaffer-secrets-");
    writeFileSync(join(inside, "secrets.env"), "A=1\n");
    assert.throws(() => Secrets.load(inside, "secrets.env"), {
      message: "the secrets file secrets.env is inside the project, where an agent's workspace could hold it",
    });
    assert.deepEqual(
      Secrets.load(inside, ".gaffer/missing.env", {}).resolve([]),
      {},
      "a missing file holds none",
    );
  });

  it("refuses a secret that gaffer.toml also hands to agents", (t) => {
    const dir = tempDir(t, "gaffer-secrets-");
    writeFiles(dir, {
      "gaffer.toml": `[sandbox]\nenv = ["SHARED"]\n\n[agents.mine]\ndriver = "command"\ncommand = "x"\npass_env = ["MINE_KEY"]\n`,
    });
    const config = loadConfig(dir);
    assert.doesNotThrow(() => assertHiddenFromAgents(["DEPLOY_KEY"], config));
    assert.throws(() => assertHiddenFromAgents(["DEPLOY_KEY", "MINE_KEY"], config), {
      message: "secret MINE_KEY is also passed to agents by [agents.mine] pass_env in gaffer.toml",
    });
    assert.throws(() => assertHiddenFromAgents(["SHARED"], config), { message: /by \[sandbox\] env/ });
  });
});
