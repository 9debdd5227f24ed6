import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { forgeSetup } from "../helpers/forge-tracker.ts";

describe("GitHub issue listings with ETags", () => {
  it("asks again with If-None-Match: an unchanged listing is a 304 that costs no rate limit, a change is read", async (t) => {
    const { forge, repo, tracker } = await forgeSetup(t, "github");
    forge.createIssue(repo, { title: "First", labels: ["backlog"] });
    const github = tracker();
    const query = { state: "open" as const, label: "backlog" };
    const first = await github.listIssues(query);
    const again = await github.listIssues(query);
    assert.deepEqual(again, first);
    const listings = forge.requests.filter((r) => r.path.startsWith("/repos/acme/app/issues?"));
    assert.deepEqual(
      listings.map((r) => r.status),
      [200, 304],
    );

    forge.createIssue(repo, { title: "Second", labels: ["backlog"] });
    const changed = await github.listIssues(query);
    assert.deepEqual(
      changed.map((issue) => issue.title),
      ["First", "Second"],
    );
    assert.equal(forge.requests.at(-1)?.status, 200);
  });
});
