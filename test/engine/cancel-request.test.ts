import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, it } from "node:test";
import { projectPaths, takeCancelRequest } from "../../src/engine/index.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("cancel requests for hosted runs", () => {
  it("reach only the owner they name, once", (t) => {
    const paths = projectPaths(tempDir(t));
    const owner = "host:4242:123:1";
    const request = paths.cancelRequest(owner);
    mkdirSync(dirname(request), { recursive: true });
    writeFileSync(request, "");
    assert.equal(takeCancelRequest(paths, "host:4242:123:2"), false, "another task of the worker");
    assert.equal(takeCancelRequest(paths, "host:5151:456:1"), false, "the run's next owner");
    assert.equal(takeCancelRequest(paths, owner), true);
    assert.equal(takeCancelRequest(paths, owner), false, "taken once");
  });
});
