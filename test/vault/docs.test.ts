import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/index.ts";
import { checkTomlFile, classify, loadPolicy } from "../../src/vault/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const DOC = readFileSync(fileURLToPath(new URL("../../docs/VAULT.md", import.meta.url)), "utf8");

/** The ```toml blocks of docs/VAULT.md whose first line names the file they are. */
function examples(file: string): string[] {
  return [...DOC.matchAll(/```toml\n([\s\S]*?)```/g)]
    .map((match) => match[1] as string)
    .filter((block) => block.startsWith(`# ${file}\n`));
}

describe("docs/VAULT.md: the examples are copy-paste ready", () => {
  it("every policy.toml example loads, and says what it claims", (t) => {
    const policies = examples("policy.toml");
    assert.equal(policies.length, 3);
    const tiers = policies.map((text) => {
      const dir = tempDir(t, "gaffer-doc-");
      writeFileSync(join(dir, "policy.toml"), text);
      const policy = loadPolicy(dir, loadConfig(dir), "policy.toml");
      return [
        classify({ action: "merge", paths: ["src/app.js"], size: { lines: 10, files: 1 } }, policy).tier,
        classify({ action: "merge", paths: ["package.json"], size: { lines: 10, files: 1 } }, policy).tier,
      ];
    });
    assert.deepEqual(tiers, [
      ["low", "medium"],
      ["medium", "high"],
      ["high", "high"],
    ]);
  });

  it("every gaffer.toml example loads with its [vault]", (t) => {
    const configs = examples("gaffer.toml");
    assert.equal(configs.length, 3);
    for (const text of configs) {
      const dir = tempDir(t, "gaffer-doc-");
      writeFileSync(join(dir, "gaffer.toml"), text);
      assert.ok(loadConfig(dir).vault, text);
    }
    const full = DOC.match(/```toml\n(\[vault\]\n# The policy[\s\S]*?)```/)?.[1] ?? "";
    const dir = tempDir(t, "gaffer-doc-");
    writeFileSync(join(dir, "gaffer.toml"), full);
    const vault = loadConfig(dir).vault;
    assert.deepEqual(vault.approvers, ["alice@example.com", "bob@example.com"]);
    assert.equal(vault.formulas.get("release"), "scripts/release.sh");
  });

  it("the action file example is a valid disinto action", () => {
    const [action] = examples("vault/actions/release-v120.toml");
    assert.equal(checkTomlFile(action ?? "").kind, "action");
  });
});
