import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { syncTracker } from "../../src/intake/index.ts";
import { listItems } from "../../src/store/index.ts";
import { forgeSetup } from "../helpers/forge-tracker.ts";
import { tempDir } from "../helpers/tmp.ts";

/** A GafferError's one line, as `gaffer` prints it. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    assert.doesNotMatch(message, /\n/);
    return { code, message };
  }
  throw new Error("expected a failure");
}

describe("intake/github tracker check", () => {
  it("reports what a good token can do", async (t) => {
    const setup = await forgeSetup(t, "github");
    assert.deepEqual(await setup.tracker().check(), [
      "GITHUB_TOKEN is accepted: gaffer-bot",
      "scopes: repo, read:org",
      "role: write; claims assign gaffer-bot",
    ]);
  });

  it("names the variable of a token GitHub refuses", async (t) => {
    const setup = await forgeSetup(t, "github");
    const { code, message } = await failure(setup.tracker("ghp_not_a_real_token_000000000000").check());
    assert.equal(code, "tracker-auth");
    assert.match(
      message,
      /^GITHUB_TOKEN was refused by acme\/app on 127\.0\.0\.1:\d+ \(401: Bad credentials\)$/,
    );
  });

  it("says the token lacks the repo scope, and which it has", async (t) => {
    const setup = await forgeSetup(t, "github");
    const narrow = setup.forge.addToken("gaffer-bot", { kind: "classic", scopes: ["read:org", "gist"] });
    const { message } = await failure(setup.tracker(narrow).check());
    assert.match(
      message,
      /^GITHUB_TOKEN lacks the repo scope that acme\/app on .* needs to assign and label issues \(it has: read:org, gist\)$/,
    );
  });

  it("names the permission a fine-grained token lacks", async (t) => {
    const setup = await forgeSetup(t, "github");
    const fine = setup.forge.addToken("gaffer-bot", {
      kind: "fine-grained",
      permissions: { metadata: "read", issues: "read" },
    });
    const { message } = await failure(setup.tracker(fine).check());
    assert.match(message, /^GITHUB_TOKEN may not label issues on acme\/app on .* \(it needs issues: write\)/);
  });

  it("says an unset variable is unset", async (t) => {
    const setup = await forgeSetup(t, "github");
    const { message } = await failure(setup.tracker("").check());
    assert.equal(message, "[tracker] token_env GITHUB_TOKEN is not set");
  });

  it("works as a GitHub App: installed, its permissions, claims assigning the configured user", async (t) => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = join(tempDir(t), "app.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs1", format: "pem" }));
    const setup = await forgeSetup(
      t,
      "github",
      `app_id = 42\nprivate_key_file = "${keyFile}"\nassignee = "gaffer-bot"\n`,
    );
    const app = {
      id: 42,
      slug: "gaffer",
      publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
    setup.forge.installApp(setup.repo, app, { issues: "write", metadata: "read" });
    assert.deepEqual(await setup.tracker().check(), [
      "the GitHub App 42 is installed on acme/app on " + new URL(setup.forge.url).host,
      "permissions: issues: write, metadata: read",
      "claims assign gaffer-bot",
    ]);
    setup.forge.createIssue(setup.repo, { title: "one", labels: ["backlog"] });
    await syncTracker(setup.store.db, setup.tracker(), setup.config.labels);
    assert.equal((await listItems(setup.store.db)).length, 1);
    setup.repo.installation = { id: 1, appId: 42, permissions: { issues: "read", metadata: "read" } };
    const { message } = await failure(setup.tracker().check());
    assert.match(message, /^the GitHub App 42 lacks Issues: write on acme\/app/);
  });
});

describe("intake/gitea tracker check", () => {
  it("reports what a good token can do", async (t) => {
    const setup = await forgeSetup(t, "gitea");
    assert.deepEqual(await setup.tracker().check(), [
      "GITEA_TOKEN is accepted: gaffer-bot",
      "scopes: read:user, read:repository, write:issue",
      "role: write; claims assign gaffer-bot",
    ]);
  });

  it("names the variable of a token Gitea refuses", async (t) => {
    const setup = await forgeSetup(t, "gitea");
    const { code, message } = await failure(setup.tracker("0123456789abcdef0123456789abcdef").check());
    assert.equal(code, "tracker-auth");
    assert.match(message, /^GITEA_TOKEN was refused by acme\/app on 127\.0\.0\.1:\d+ \(401/);
  });

  it("names the scope a token lacks", async (t) => {
    const setup = await forgeSetup(t, "gitea");
    const narrow = setup.forge.addToken("gaffer-bot", {
      kind: "gitea",
      scopes: ["read:user", "read:repository", "read:issue"],
    });
    const { code, message } = await failure(setup.tracker(narrow).check());
    assert.equal(code, "tracker-auth");
    assert.match(
      message,
      /^GITEA_TOKEN may not label issues on acme\/app on .* \(it needs the write:issue scope\)/,
    );
  });

  it("says a read-only collaborator cannot claim", async (t) => {
    const setup = await forgeSetup(t, "gitea");
    setup.forge.addCollaborator(setup.repo, "reader", "read");
    const reader = setup.forge.addToken("reader", { kind: "gitea", scopes: ["all"] });
    const { message } = await failure(setup.tracker(reader).check());
    assert.match(message, /^GITEA_TOKEN may not label issues|^reader \(GITEA_TOKEN\) has read access/);
  });
});
