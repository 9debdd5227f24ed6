import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SAMPLE_CONFIG, SAMPLE_FILES, SAMPLE_ITEMS } from "../../src/demo/sample.ts";
import { listEvents, openStore } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { startFakeForge } from "../../src/demo/forge/index.ts";
import { gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

/** Every file under `dir`, to look for a value that must never be written. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("e2e: a forge's issue becomes a run", () => {
  it("syncs a labelled issue, claims it on the forge when the run starts, proposes, and stores no token", async (t) => {
    const forge = await startFakeForge("gitea", tempDir(t));
    t.after(() => forge.close());
    const repo = forge.createRepo("acme/calc");
    forge.addCollaborator(repo, "gaffer-bot", "write");
    forge.addCollaborator(repo, "rival", "write");
    const token = forge.addToken("gaffer-bot", {
      kind: "gitea",
      scopes: ["write:issue", "read:repository", "read:user"],
    });
    const [sample] = SAMPLE_ITEMS;
    if (!sample) throw new Error("no sample item");
    const issue = forge.createIssue(repo, { title: sample.title, body: sample.body, labels: ["backlog"] });
    const taken = forge.createIssue(repo, {
      title: "Someone else's",
      body: sample.body,
      labels: ["backlog"],
    });
    const cwd = gitRepo(t, {
      ...SAMPLE_FILES,
      "gaffer.toml": `${SAMPLE_CONFIG}\n[tracker]\nkind = "forgejo"\nurl = "${forge.url}"\nrepo = "acme/calc"\n`,
    });
    const env = { FORGEJO_TOKEN: token };

    const sync = await gaffer(["tracker", "sync"], { cwd, env });
    assert.equal(sync.code, 0, sync.stderr);
    const run = await gaffer(["run", "1", "--plain"], { cwd, env });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      issue.assignees.map((u) => u.login),
      ["gaffer-bot"],
    );
    assert.deepEqual(
      issue.labels.map((l) => l.name),
      ["in-progress"],
    );

    // Someone else took the second issue after the sync: the run does not start, the item is parked.
    forge.model.setAssignees(repo, taken, [forge.model.user("rival")], undefined);
    const refused = await gaffer(["run", "2"], { cwd, env });
    assert.equal(refused.code, 64);
    assert.match(
      refused.stderr,
      /^gaffer: item #2 \(issue #2 of acme\/calc on 127\.0\.0\.1:\d+\) is not gaffer's to take: claimed by rival — /,
    );
    const list = await gaffer(["issue", "list"], { cwd, env });
    assert.match(list.stdout, /#2 +0 +parked +Someone else's/);

    const store = await openStore(join(cwd, ".gaffer", "gaffer.db"));
    const claimed = (await listEvents(store.db, { itemId: 1 })).find((e) => e.type === "tracker.claimed");
    await store.close();
    assert.deepEqual(claimed?.data, {
      issue: 1,
      url: `${forge.url}/acme/calc/issues/1`,
      assignee: "gaffer-bot",
    });
    for (const file of filesUnder(join(cwd, ".gaffer"))) {
      assert.ok(!readFileSync(file).includes(token), `${file} holds the token`);
    }
  });
});
