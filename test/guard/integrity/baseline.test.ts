import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isGafferError } from "../../../src/errors.ts";
import { loadBaseline, saveBaseline } from "../../../src/guard/integrity/index.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { integrityFixture, RUN_BRANCH } from "./fixture.ts";

describe("guard/integrity/baseline", () => {
  it("records the clone's refs, hooks, config and base commit", async (t) => {
    const { baseline, baseCommit } = await integrityFixture(t);
    assert.equal(baseline.baseCommit, baseCommit);
    assert.deepEqual(baseline.refs, {
      [`refs/heads/${RUN_BRANCH}`]: baseCommit,
      "refs/heads/main": baseCommit,
    });
    assert.match(baseline.configSha256 ?? "", /^[0-9a-f]{64}$/);
    assert.ok(Object.values(baseline.hooks).every((digest) => /^(file|link):/.test(digest)));
    assert.deepEqual(baseline.restoredConfigs, []);
  });

  it("survives a round trip through its file", async (t) => {
    const { baseline } = await integrityFixture(t);
    const path = join(tempDir(t), "runs", "1", "baseline.json");
    await saveBaseline(path, baseline);
    assert.deepEqual(await loadBaseline(path), baseline);
  });

  it("refuses a missing or malformed file with a clear error", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "baseline.json");
    await assert.rejects(
      loadBaseline(path),
      (error) => isGafferError(error) && error.code === "invalid-input",
    );
    writeFileSync(path, '{"version": 1, "refs": {}}');
    await assert.rejects(loadBaseline(path), /is not an integrity baseline/);
    writeFileSync(path, "not json");
    await assert.rejects(loadBaseline(path), /is not an integrity baseline/);
  });
});
