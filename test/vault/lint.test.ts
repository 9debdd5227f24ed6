import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { checkTomlFile, lintVaultDir } from "../../src/vault/index.ts";
import { writeFiles } from "../helpers/git.ts";
import { DISINTO_VAULT } from "./fixture.ts";
import { tempDir } from "../helpers/tmp.ts";

function vaultDir(t: TestContext, files: Record<string, string>): string {
  const dir = tempDir(t, "gaffer-vault-lint-");
  writeFiles(dir, files);
  return dir;
}

describe("vault: disinto's action files", () => {
  it("validates the seed's and disinto's examples: actions, requests for a human, the policy", (t) => {
    const files = lintVaultDir(vaultDir(t, DISINTO_VAULT));
    assert.deepEqual(
      files.map((f) => [f.path, f.kind, f.problems]),
      [
        ["actions/fix-ops-branch-protection-20260415.toml", "human-request", []],
        ["actions/promote-20260331.toml", "action", []],
        ["actions/publish-skill-20260331.toml", "action", []],
        ["actions/release-v120.toml", "action", []],
        ["actions/webhook-call-20260331.toml", "action", []],
        ["pending/disinto-ops-branch-protection.md", "human-request", []],
        ["policy.toml", "policy", []],
      ],
    );
  });

  it("reads an action with its defaults filled in", () => {
    const checked = checkTomlFile(DISINTO_VAULT["actions/release-v120.toml"] as string);
    assert.equal(checked.kind, "action");
    assert.deepEqual(checked.kind === "action" && checked.action, {
      id: "release-v120",
      formula: "release",
      context: "Release v1.2.0 — includes vault redesign, .profile system, architect agent",
      secrets: ["GITHUB_TOKEN", "CODEBERG_TOKEN"],
      mounts: ["ssh"],
      tools: [],
      timeout_minutes: 60,
    });
  });

  it("names the file, line and key of every problem, with a hint", (t) => {
    const dir = vaultDir(t, {
      "0-valid.toml": `id = "ok-1"\nformula = "f"\ncontext = "c"\nsecrets = []\n`,
      "a-unknown.toml": `id = "a"\nformula = "f"\ncontext = "c"\nsecrets = []\nhost = "nomad-box-1"\n`,
      "b-missing.toml": `id = "b"\nformula = "f"\nsecrets = []\n`,
      "c-types.toml": `id = "c"\nformula = "f"\ncontext = "c"\nsecrets = "GITHUB_TOKEN"\n`,
      "d-secret.toml": `id = "d"\nformula = "f"\ncontext = "c"\nsecrets = ["github-token"]\n`,
      "e-mount.toml": `id = "e"\nformula = "f"\ncontext = "c"\nsecrets = []\nmounts = ["docker"]\n`,
      "f-timeout.toml": `id = "f"\nformula = "f"\ncontext = "c"\nsecrets = []\ntimeout_minutes = 0\n`,
      "g-radius.toml": `id = "g"\nformula = "f"\ncontext = "c"\nsecrets = []\nblast_radius = "none"\n`,
      "h-dup.toml": `# the same id again\nid = "ok-1"\nformula = "f"\ncontext = "c"\nsecrets = []\n`,
      "i-syntax.toml": `id = "i"\nformula = \n`,
      "j-merge.toml": `id = "j"\nformula = "merge"\ncontext = "c"\nsecrets = []\n`,
      "k-human.toml": `context = "c"\n[action_required]\n`,
      "pending/l-request.md": "# Please\n\n## What\nx\n",
      "policy.toml": `[tiers]\nrelease = "critical"\n`,
    });
    const problems = lintVaultDir(dir).flatMap((f) =>
      f.problems.map((p) => `${f.path}:${p.line ?? "-"}: ${p.message} — ${p.hint}`),
    );
    assert.deepEqual(problems, [
      'a-unknown.toml:5: unknown key "host" — valid keys here: id, formula, context, secrets, mounts, model, tools, timeout_minutes, blast_radius, dispatch_mode',
      'b-missing.toml:-: missing key "context" — add context = <a string>',
      'c-types.toml:4: secrets: expected a list, got a string "GITHUB_TOKEN" — fix the value\'s type',
      "d-secret.toml:4: secrets[0]: a secret is an environment variable name, e.g. GITHUB_TOKEN — see docs/VAULT.md",
      'e-mount.toml:5: mounts[0]: must be one of "ssh", "gpg", "sops" — set it to one of those',
      "f-timeout.toml:5: timeout_minutes: Too small: expected number to be >0 — see docs/VAULT.md",
      'g-radius.toml:5: blast_radius: must be one of "low", "medium", "high" — set it to one of those',
      'h-dup.toml:2: id: "ok-1" is already the id of 0-valid.toml — give every action its own id, e.g. <formula>-<date>',
      "i-syntax.toml:2: invalid value — fix the TOML syntax on that line",
      'j-merge.toml:2: formula: "merge" is gaffer\'s own action: use `gaffer merge <run>` — see docs/VAULT.md',
      'k-human.toml:2: missing key "description" in [action_required] — add description = <a string>',
      'pending/l-request.md:1: the first line is not "# Request: <what is needed>" — start with # Request: …',
      'pending/l-request.md:-: section "## Why" is missing — add a ## Why section',
      'pending/l-request.md:-: section "## Human action" is missing — add a ## Human action section',
      'policy.toml:2: tiers.release: must be one of "low", "medium", "high" — set it to one of those',
    ]);
  });

  it("refuses a directory with no vault files in it", (t) => {
    assert.throws(() => lintVaultDir(vaultDir(t, { "README.md": "# vault\n" })), { code: "invalid-input" });
  });
});
