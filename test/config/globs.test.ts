import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { PATH_ROWS, PROBLEM_ROWS } from "../util/glob-table.ts";

const toml = (key: string, globs: readonly string[]) =>
  `[gate]\ncommands = []\n\n[guard]\n${key} = ${JSON.stringify(globs)}\n`;

describe("config: path globs in gaffer.toml", () => {
  it("accepts every glob of the table, as written", () => {
    for (const { globs } of PATH_ROWS) {
      const config = parseConfig(toml("deny_paths", globs), "/p/gaffer.toml", "/p", {});
      assert.deepEqual(config.guard.denyPaths, globs);
      assert.deepEqual(
        parseConfig(toml("allow_paths", globs), "/p/gaffer.toml", "/p", {}).guard.allowPaths,
        globs,
      );
    }
  });

  for (const key of ["allow_paths", "deny_paths"]) {
    it(`refuses a bad ${key} glob in one line naming file, line, key and entry, with the fix`, () => {
      for (const { globs, message, hint } of PROBLEM_ROWS) {
        // A bad entry after a good one; a list of exclusions is wrong as a whole, from its first.
        const [entries, index] = globs.length === 1 ? [["src/**", ...globs], 1] : [globs, 0];
        assert.throws(
          () => parseConfig(toml(key, entries), "/p/gaffer.toml", "/p", {}),
          (error: Error & { code?: string; hint?: string }) => {
            assert.equal(error.code, "config-invalid");
            assert.ok(error.message.startsWith(`/p/gaffer.toml:5: guard.${key}[${index}]: `), error.message);
            assert.match(error.message, message);
            assert.match(error.hint ?? "", hint);
            assert.doesNotMatch(`${error.message}${error.hint}`, /\n/);
            return true;
          },
          JSON.stringify(globs),
        );
      }
    });
  }
});
