import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { projectPaths } from "../../src/engine/index.ts";
import { findProposal, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";

const GATE = `[[gate.commands]]\nname = "test"\nrun = "node --test"\n`;
const CLI_AGENT = `[agents.cli]\ndriver = "command"\ncommand = "true"\n\n`;
const NO_BWRAP = { GAFFER_BWRAP: "/nonexistent/bwrap" };

describe("e2e: running without a sandbox", () => {
  it('sandbox = "off" warns, runs with the guards, and records it on the run and the proposal', async (t) => {
    const dir = await sampleProject(t, `[sandbox]\nmode = "off"\n\n${GATE}`);
    const result = await gaffer(["run", "1"], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /WARNING: no sandbox \(\[sandbox\] mode = "off"\): the agent runs with gaffer's guards only/,
    );
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    t.after(() => store.close());
    const [run] = await listRuns(store.db);
    assert.equal(run?.sandbox, 'none: [sandbox] mode = "off"');
    assert.equal((await findProposal(store.db, 1))?.sandbox, 'none: [sandbox] mode = "off"');
    assert.match(
      (await gaffer(["show", "1"], { cwd: dir })).stdout,
      /this proposal was made without a sandbox/,
    );
  });

  it('sandbox = "required" on a machine without bubblewrap refuses before creating a run', async (t) => {
    const dir = await sampleProject(t, `[sandbox]\nmode = "required"\n\n${GATE}`);
    const result = await gaffer(["run", "1"], { cwd: dir, env: { GAFFER_BWRAP: "/nonexistent/bwrap" } });
    assert.equal(result.code, 69, result.stderr);
    assert.match(
      result.stderr,
      /gaffer: no sandbox: .* — install bubblewrap, or set \[sandbox\] mode = "preferred"/,
    );
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    t.after(() => store.close());
    assert.equal((await listRuns(store.db)).length, 0);
  });

  it("without a [sandbox] mode, the scripted agent goes on without bubblewrap, loudly", async (t) => {
    const dir = await sampleProject(t, GATE);
    const result = await gaffer(["run", "1"], { cwd: dir, env: { GAFFER_BWRAP: "/nonexistent/bwrap" } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /WARNING: no sandbox/);
  });

  it("without a [sandbox] mode, a real agent refuses to run without bubblewrap", async (t) => {
    const dir = await sampleProject(t, `${CLI_AGENT}${GATE}`);
    const result = await gaffer(["run", "1", "--agent", "cli"], { cwd: dir, env: NO_BWRAP });
    assert.equal(result.code, 69, result.stderr);
    assert.match(
      result.stderr,
      /gaffer: no sandbox for agent "cli": .* — install bubblewrap, or accept an unconfined agent with \[sandbox\] mode = "preferred"/,
    );
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    t.after(() => store.close());
    assert.equal((await listRuns(store.db)).length, 0);
  });

  it('a real agent runs unconfined when the project says mode = "preferred"', async (t) => {
    const dir = await sampleProject(t, `[sandbox]\nmode = "preferred"\n\n${CLI_AGENT}${GATE}`);
    const result = await gaffer(["run", "1", "--agent", "cli"], { cwd: dir, env: NO_BWRAP });
    assert.match(result.stderr, /WARNING: no sandbox/);
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    t.after(() => store.close());
    const [run] = await listRuns(store.db);
    assert.match(run?.sandbox ?? "", /^none: bubblewrap/);
  });

  it("without a sandbox, a project ref changed during the run is flagged on the proposal", async (t) => {
    const dir = await sampleProject(t, `[sandbox]\nmode = "off"\n\n${GATE}`);
    const id = await fileItem(
      dir,
      scenarioItem(
        "reaches into the project",
        `
[[attempts]]
steps = [
  { shell = '/usr/bin/git -C ${dir} branch sneaky' },
  { edit = "src/calc.js", old = "export function divide", new = "export function half(a) {\\n  return a / 2;\\n}\\n\\nexport function divide" },
]
`,
      ),
    );
    const result = await gaffer(["run", String(id)], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const store = openStoreReadOnly(projectPaths(dir).database);
    assert.ok(store);
    t.after(() => store.close());
    const [run] = await listRuns(store.db, { itemId: id });
    const findings = (await findProposal(store.db, run?.id ?? 0))?.findings ?? [];
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.evidence.ref]),
      [["project-ref-changed", "flag", "refs/heads/sneaky"]],
    );
  });
});
