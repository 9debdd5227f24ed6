import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { builtInstallation, gafferAt } from "../helpers/bundle.ts";
import { gitRepo } from "../helpers/git.ts";
import { sampleProject } from "../helpers/project.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The texts of one kind (`config`, `scenario`) the installation's build remembers. */
function rememberedIn(root: string, kind: string): string[] {
  try {
    return readdirSync(join(root, "cache", "gaffer", kind)).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
}

describe("e2e: the built CLI", () => {
  it("runs an item end to end from the bundle alone: its scripted agent, sandbox and gate included", async (t) => {
    const root = await builtInstallation(t);
    const project = await sampleProject(t);
    const run = (args: string[]) => gafferAt(root, args, project);

    const version = await run(["--version"]);
    assert.equal(version.stdout, `${VERSION}\n`);
    const added = await run(["issue", "add", "a new item", "--json"]);
    assert.equal(added.code, 0, added.stderr);
    const item = JSON.parse(added.stdout) as { id: number };

    // The sample project's item 2 is one the scripted agent knows how to fix.
    const result = await run(["run", "2", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).run.state, "proposed");

    const status = await run(["status", "--json"]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).counts.proposed, 1);
    const list = await run(["issue", "list", "--json"]);
    assert.ok((JSON.parse(list.stdout) as { id: number }[]).some((i) => i.id === item.id));
  });

  it("remembers a checked gaffer.toml for the next command; a command that only reads remembers nothing", async (t) => {
    const root = await builtInstallation(t);
    const project = await sampleProject(t);
    const run = (args: string[]) => gafferAt(root, args, project);
    const remembered = () => rememberedIn(root, "config");
    assert.equal((await run(["issue", "add", "an item"])).code, 0);
    assert.equal(remembered().length, 1, "a writing command remembers the configuration it checked");
    const fresh = gitRepo(t, { "README.md": "# new\n" });
    assert.equal((await gafferAt(root, ["init"], fresh)).code, 0);
    assert.equal(remembered().length, 2, "gaffer init remembers the file it wrote");
    const status = await run(["status", "--json"]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(remembered().length, 2, "the same text is not remembered twice");

    appendFileSync(join(project, "gaffer.toml"), "\n[workspace]\nwarm = 1\n");
    assert.equal((await run(["status", "--json"])).code, 0);
    assert.equal(remembered().length, 2, "a read command checks the edited file and remembers nothing");
    assert.equal((await run(["validate"])).code, 0);
    assert.equal(remembered().length, 3, "gaffer validate remembers what it checked");
    appendFileSync(join(project, "gaffer.toml"), "[limits]\nturns = -1\n");
    const broken = await run(["status"]);
    assert.equal(broken.code, 78, broken.stderr);
    assert.match(broken.stderr, /gaffer\.toml:\d+: .*turns/);
  });

  it("remembers a checked scenario file for the scripted agent; an edit is checked again", async (t) => {
    const root = await builtInstallation(t);
    const project = await sampleProject(t);
    const run = (args: string[]) => gafferAt(root, args, project);
    const remembered = () => rememberedIn(root, "scenario");
    writeFileSync(join(project, "story.toml"), '[[attempts]]\nsteps = [{ say = "hello" }]\n');
    appendFileSync(
      join(project, "gaffer.toml"),
      '\n[agent]\ndefault = "story"\n[agents.story]\ndriver = "scripted"\nscenario = "story.toml"\n',
    );
    assert.equal((await run(["validate"])).code, 0);
    assert.equal(remembered().length, 1);
    assert.equal((await run(["validate"])).code, 0);
    assert.equal(remembered().length, 1, "the same text is checked once");

    writeFileSync(join(project, "story.toml"), "[[attempts]]\nsteps = 7\n");
    const broken = await run(["validate"]);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /story\.toml:\d+: /);
    assert.equal(remembered().length, 1, "a text that does not parse is never remembered");
  });
});
