import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadState, readFailcount, readStopped } from "../../src/tracks/index.ts";
import { freshState, saveState } from "../../src/tracks/state.ts";
import { writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("tracks/failcount", () => {
  it("keeps Tier 2's defaults without a file", (t) => {
    const dir = tempDir(t);
    assert.deepEqual(readFailcount(dir, "scripts/tier2/failcount.toml"), {
      red: 3,
      green: 3,
      noProgressMs: 30 * 60_000,
      file: undefined,
    });
  });

  it("reads no_progress_minutes and any red or green limit, at the top or in a table", (t) => {
    const dir = tempDir(t);
    writeFiles(dir, {
      "scripts/tier2/failcount.toml":
        "no_progress_minutes = 45\n\n[limits]\nmax_consecutive_red = 2\ngreen_failures = 5\nrequired = 9\n",
    });
    assert.deepEqual(readFailcount(dir, "scripts/tier2/failcount.toml"), {
      red: 2,
      green: 5,
      noProgressMs: 45 * 60_000,
      file: "scripts/tier2/failcount.toml",
    });
  });

  it("names the file and the key of a bad value", (t) => {
    const dir = tempDir(t);
    writeFiles(dir, { "f.toml": "red = 0\n" });
    assert.throws(() => readFailcount(dir, "f.toml"), { message: /f\.toml: red must be a whole number/ });
    writeFiles(dir, { "g.toml": "red = \n" });
    assert.throws(() => readFailcount(dir, "g.toml"), { message: /g\.toml:1: not TOML/ });
  });
});

describe("tracks/state", () => {
  it("imports a state Tier 2 kept in scripts/tier2/state, and writes it to the configured place", (t) => {
    const dir = tempDir(t);
    writeFiles(dir, {
      "scripts/tier2/state/auth_20260616/state.json": JSON.stringify({
        consecutive_red_failures: 1,
        last_completed_task: "1.2",
        something_else: true,
      }),
    });
    const loaded = loadState(dir, "tests/artifacts/tier2_state", "auth_20260616");
    assert.ok(loaded);
    assert.equal(loaded.file, join(dir, "scripts/tier2/state/auth_20260616/state.json"));
    assert.equal(loaded.state.consecutive_red_failures, 1);
    assert.equal(loaded.state.last_completed_task, "1.2");
    assert.deepEqual(loaded.state.completed, []);
    saveState(dir, "tests/artifacts/tier2_state", loaded.state);
    const written = JSON.parse(
      readFileSync(join(dir, "tests/artifacts/tier2_state/auth_20260616/state.json"), "utf8"),
    ) as { consecutive_red_failures: number; something_else: boolean };
    assert.equal(written.consecutive_red_failures, 1);
    assert.equal(written.something_else, true, "what gaffer does not know is kept");
    assert.equal(
      loadState(dir, "tests/artifacts/tier2_state", "auth_20260616")?.file.includes("tier2_state"),
      true,
    );
  });

  it("writes the whole state or nothing: the new file replaces the old in one step", (t) => {
    const dir = tempDir(t);
    const state = freshState("t_20260101", "tier2/t_20260101", { branch: "main", commit: "abc" });
    saveState(dir, "state", state);
    state.consecutive_green_failures = 2;
    saveState(dir, "state", state);
    assert.equal(loadState(dir, "state", "t_20260101")?.state.consecutive_green_failures, 2);
  });

  it("reads the .STOPPED flag for the banner", (t) => {
    const dir = tempDir(t);
    assert.equal(readStopped(dir, "failures"), undefined);
    writeFiles(dir, {
      "failures/.STOPPED":
        'track = "t_20260101"\nsignal = "green-limit"\nreport = "/r.md"\nstopped = "2026-01-01T00:00:00.000Z"\n',
    });
    assert.deepEqual(readStopped(dir, "failures"), {
      track: "t_20260101",
      signal: "green-limit",
      report: "/r.md",
      stopped: "2026-01-01T00:00:00.000Z",
      file: join(dir, "failures/.STOPPED"),
    });
  });
});
