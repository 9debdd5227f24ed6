import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig, readConfig } from "../../src/config/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Every section gaffer.toml has, set away from its defaults. */
const RICH = `
[project]
default_branch = "trunk"
conventions = "CONVENTIONS.md"

[agent]
default = "mine"
turn_timeout = "45m"

[agents.mine]
driver = "acp"
command = "my-agent --acp"
pass_env = ["MY_KEY"]
hosts = ["api.example.com"]
model = "big"

[agents.quick]
driver = "headless"
format = "claude"

[agents.story]
driver = "scripted"
scenario = "story.toml"

[gate]
max_fix_attempts = 3
parallel = true
[[gate.commands]]
name = "lint"
run = "npm run lint"
timeout = "2m"
[[gate.commands]]
name = "test"
run = "npm test"

[workspace]
copy = ["fixtures/sample.json"]
warm = 2
[[workspace.setup]]
name = "deps"
run = "npm ci"

[sandbox]
mode = "preferred"
env = ["LANG"]
read = ["/opt/tools"]

[guard]
deny_paths = ["secrets/**"]
tamper = "flag"

[limits]
run_timeout = "3h"
workspace_size = "2GB"

[budget]
run = 2.5
day = 40

[prices."my-model"]
input = 1
output = 4

[models]
keys = "proxy"
[models.hosts."llm.internal"]
api = "openai"

[factory]
max_concurrency = 4

[roles.builder]
concurrency = 2
policy = "heal+stall"

[roles.reviewer]
policy = "heal"

[[phases]]
id = "build"
plan = "plans/build.md"

[tracker]
kind = "gitea"
url = "https://git.example.com/"
repo = "acme/app"
poll = "90s"
[tracker.webhook]
listen = "127.0.0.1:8787"
[tracker.labels]
ready = ["todo"]

[reactions.ci-failed]
retries = 4
[reactions.approved-and-green]
action = "merge"

[tracks]
branch_prefix = "track/"

[vault.formulas.deploy]
run = "make deploy"
`;

function project(
  t: TestContext,
  text: string | undefined,
): { root: string; memory: { dir: string; build: string } } {
  const root = tempDir(t);
  if (text !== undefined) writeFileSync(join(root, "gaffer.toml"), text);
  return { root, memory: { dir: join(tempDir(t), "config"), build: "build-1" } };
}

const entries = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".json"));

/** A project whose gaffer.toml says `warm = 2`, read once so that it is remembered, and its one entry. */
async function rememberedProject(t: TestContext) {
  const { root, memory } = project(t, "[workspace]\nwarm = 2\n");
  await readConfig(root, { remember: true, env: {}, memory });
  const [entry] = entries(memory.dir);
  assert.ok(entry !== undefined);
  return { root, memory, entry: join(memory.dir, entry) };
}

/** Every ```toml block of the docs that is a gaffer.toml gaffer reads. */
function documentedConfigs(t: TestContext): string[] {
  const dir = tempDir(t);
  const docs = ["README.md", ...readdirSync(join(ROOT, "docs")).map((name) => join("docs", name))];
  return docs
    .filter((file) => file.endsWith(".md"))
    .flatMap((file) =>
      [...readFileSync(join(ROOT, file), "utf8").matchAll(/```toml\n([\s\S]*?)```/g)].map(
        (m) => m[1] as string,
      ),
    )
    .filter((text) => {
      writeFileSync(join(dir, "gaffer.toml"), text);
      try {
        loadConfig(dir, {});
        return true;
      } catch {
        return false; // policy.toml, agents.toml, fragments
      }
    });
}

describe("config: remembered between processes", () => {
  it("gives what loadConfig gives, checked or remembered, for every section and every documented gaffer.toml", async (t) => {
    const texts = [RICH, ...documentedConfigs(t)];
    assert.ok(texts.length > 5, `documented examples found: ${texts.length - 1}`);
    for (const text of texts) {
      const { root, memory } = project(t, text);
      const env = { AGENT_CMD: "my-agent {prompt}" };
      const expected = loadConfig(root, env);
      const checked = await readConfig(root, { remember: true, env, memory });
      assert.equal(entries(memory.dir).length, 1);
      const remembered = await readConfig(root, { remember: true, env, memory });
      assert.deepEqual(checked, expected);
      assert.deepEqual(remembered, expected, text);
    }
  });

  it("remembers the defaults of a project with no gaffer.toml", async (t) => {
    const { root, memory } = project(t, undefined);
    await readConfig(root, { remember: true, env: {}, memory });
    assert.deepEqual(await readConfig(root, { remember: true, env: {}, memory }), loadConfig(root, {}));
    assert.equal(entries(memory.dir).length, 1);
  });

  it("takes a remembered entry instead of checking the text again", async (t) => {
    const { root, memory, entry } = await rememberedProject(t);
    const saved = JSON.parse(readFileSync(entry, "utf8")) as { value: { workspace: { warm: number } } };
    saved.value.workspace.warm = 7;
    writeFileSync(entry, JSON.stringify(saved));
    assert.equal((await readConfig(root, { remember: true, env: {}, memory })).workspace.warm, 7);
  });

  it("checks an edited gaffer.toml again: a broken edit is an error whatever was remembered", async (t) => {
    const { root, memory } = project(t, "[workspace]\nwarm = 2\n");
    await readConfig(root, { remember: true, env: {}, memory });
    writeFileSync(join(root, "gaffer.toml"), "[workspace]\nwarm = -1\n");
    await assert.rejects(readConfig(root, { remember: true, env: {}, memory }), {
      code: "config-invalid",
      message: /gaffer\.toml:2: /,
    });
    writeFileSync(join(root, "gaffer.toml"), "[workspace]\nwarm = 3\n");
    assert.equal((await readConfig(root, { remember: true, env: {}, memory })).workspace.warm, 3);
    assert.equal(entries(memory.dir).length, 2);
  });

  it("never reads another build's entry", async (t) => {
    const { root, memory, entry } = await rememberedProject(t);
    writeFileSync(entry, readFileSync(entry, "utf8").replace('"warm":2', '"warm":7'));
    const next = { ...memory, build: "build-2" };
    assert.equal((await readConfig(root, { remember: true, env: {}, memory: next })).workspace.warm, 2);
  });

  it("runs the rules that depend on the environment every time", async (t) => {
    const { root, memory } = project(
      t,
      '[tracker]\nkind = "github"\nrepo = "a/b"\n[agents.command]\ndriver = "command"\ncommand = "x {prompt}"\npass_env = ["GITHUB_TOKEN"]\n',
    );
    // Checked, remembered, and refused again when remembered.
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        readConfig(root, { remember: true, env: {}, memory }),
        /pass_env lists GITHUB_TOKEN/,
      );
    assert.equal(entries(memory.dir).length, 1);
    writeFileSync(join(root, "gaffer.toml"), '[tracker]\nkind = "github"\nrepo = "a/b"\n');
    await readConfig(root, { remember: true, env: {}, memory });
    const withAgent = await readConfig(root, {
      remember: true,
      env: { AGENT_CMD: "agent {prompt}" },
      memory,
    });
    assert.equal(withAgent.agents.get("command")?.driver, "command");
    assert.equal((await readConfig(root, { remember: true, env: {}, memory })).agents.has("command"), false);
  });

  it("creates nothing for a command that only reads", async (t) => {
    const { root, memory } = project(t, "[workspace]\nwarm = 2\n");
    assert.equal((await readConfig(root, { remember: false, env: {}, memory })).workspace.warm, 2);
    assert.throws(() => readdirSync(memory.dir), { code: "ENOENT" });
  });

  it("checks again, without hanging, when an entry is a FIFO, a link or not JSON", async (t) => {
    for (const plant of ["fifo", "link", "garbage"] as const) {
      const { root, memory, entry: file } = await rememberedProject(t);
      const forged = join(tempDir(t), "forged.json");
      writeFileSync(forged, readFileSync(file, "utf8").replace('"warm":2', '"warm":7'));
      spawnSync("rm", [file]);
      if (plant === "fifo") spawnSync("mkfifo", [file]);
      if (plant === "link") symlinkSync(forged, file);
      if (plant === "garbage") writeFileSync(file, "{not json");
      assert.equal((await readConfig(root, { remember: false, env: {}, memory })).workspace.warm, 2, plant);
    }
  });

  it("keeps the newest 64 entries", async (t) => {
    const { root, memory } = project(t, undefined);
    const entryOf = new Map<number, string>();
    for (let warm = 0; warm < 66; warm++) {
      writeFileSync(join(root, "gaffer.toml"), `# edit ${warm}\n[workspace]\nwarm = 1\n`);
      await readConfig(root, { remember: true, env: {}, memory });
      const added = entries(memory.dir).find((name) => ![...entryOf.values()].includes(name));
      assert.ok(added !== undefined);
      entryOf.set(warm, added);
      // Written within a second or two, the entries are told apart by the ages given here.
      utimesSync(join(memory.dir, added), 1_000_000 + warm, 1_000_000 + warm);
    }
    const kept = new Set(entries(memory.dir));
    assert.equal(kept.size, 64);
    assert.deepEqual(
      [0, 1, 2, 65].map((warm) => kept.has(entryOf.get(warm) as string)),
      [false, false, true, true],
    );
  });
});
