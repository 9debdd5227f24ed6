import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SAMPLE_CONFIG } from "../../src/demo/sample.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { sampleProject } from "../helpers/project.ts";

/** A gate step that needs git in its checkout: HEAD is the proposed commit and nothing is changed. */
const GIT_GATE = `${SAMPLE_CONFIG}
[[gate.commands]]
name = "git"
run = "test -z \\"$(git status --porcelain)\\" && git rev-parse HEAD^{tree}"

[workspace]
setup = [{ name = "mark", run = "echo setup > $HOME/marker" }]
`;

describe("e2e: the gate on a fresh checkout, as gaffer show tells it", () => {
  it("runs the gate on the proposed tree with git working there, and prints where it ran", async (t) => {
    const dir = await sampleProject(t, GIT_GATE);
    const run = await gaffer(["run", "1"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const shown = await gaffer(["show", "1"], { cwd: dir });
    assert.equal(shown.code, 0, shown.stderr);
    const tree = gitOut(dir, "rev-parse", "gaffer/1-add-a-multiply-function^{tree}");
    assert.match(shown.stdout, /ran on a fresh checkout of the proposed tree, with an empty HOME and \/tmp/);
    assert.match(shown.stdout, new RegExp(`tree +${tree}`));
    assert.match(shown.stdout, /setup +run mark \(exit 0\)/);
    assert.match(shown.stdout, /passed +PATH/);
    assert.match(shown.stdout, /set +.*GAFFER_RUN_ID=1/);
    assert.match(shown.stdout, /caches +none/);
  });
});
