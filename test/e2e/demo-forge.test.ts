import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openProjectReadOnly } from "../../src/engine/index.ts";
import { findProposal, listEvents, listRuns } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("e2e: gaffer demo --forge", () => {
  it("says each step from a labelled issue to a draft pull request with its evidence, then shuts the forge down", async (t) => {
    const dir = tempDir(t, "gaffer-demo-forge-");
    const demo = await gaffer(["demo", "--forge", "--dir", dir], { cwd: dir });
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    const out = demo.stdout;
    const url = /a fake GitHub is listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(out)?.[1];
    assert.ok(url, out);
    for (const step of [
      /someone files issue #1 "Add a multiply function" on the forge and labels it backlog/,
      /gaffer tracker sync: issue #1 is ready, so it becomes item #1/,
      /claimed: issue #1 is assigned to gaffer-bot and labelled in-progress/,
      /draft pull request #2 is open: http:\/\/127\.0\.0\.1:\d+\/acme\/calc\/pull\/2 \(from gaffer\/1-add-a-multiply-function\)/,
      /Closes #1\./,
      /\| test \| ` node --test ` \| 0 \| \d+\.\d s \|/,
      /### Integrity\n[·\s]*\n[·\s]*No findings\./,
      /issue #1 got one comment naming the pull request/,
      /the fake forge is shut down/,
    ])
      assert.match(out, step);

    // The branch on the forge is the proposal gaffer's gate tested, and gaffer recorded the pull request.
    const project = await openProjectReadOnly(join(dir, "project"));
    t.after(() => project.close());
    const db = project.store?.db;
    assert.ok(db);
    const [run] = await listRuns(db);
    assert.equal(run?.state, "proposed");
    const proposal = await findProposal(db, run?.id ?? 0);
    assert.equal(
      gitOut(
        join(dir, "forge", "repos", "acme--calc.git"),
        "rev-parse",
        "refs/heads/gaffer/1-add-a-multiply-function",
      ),
      proposal?.headCommit,
    );
    const events: string[] = (await listEvents(db, { runId: run?.id ?? 0 })).map((e) => e.type);
    for (const type of ["publish.pushed", "publish.pull-opened", "publish.commented"])
      assert.ok(events.includes(type), `no ${type}: ${events.join(", ")}`);

    // Nothing is left listening.
    await assert.rejects(fetch(`${url}/repos/acme/calc`), /fetch failed/);
  });
});
