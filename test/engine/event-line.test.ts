import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventLine } from "../../src/engine/index.ts";
import { RAW_CONTROL } from "../helpers/terminal.ts";

describe("engine: event line", () => {
  it("shows what JSON leaves raw — C1 controls, DEL, bidi — escaped, in strings and nested values", () => {
    const line = eventLine({
      type: "guard.denied",
      at: Date.UTC(2026, 0, 1, 12, 0, 0),
      data: { rule: "git push \x9b2J\u202e", argv: ["git", "push", "\x1b]0;pwned\x07", "a\x7fb"] },
    });
    assert.doesNotMatch(line, RAW_CONTROL);
    assert.equal(
      line,
      '12:00:00.000 guard.denied         rule="git push \\x9b2J\\u202e" argv=["git","push","\\u001b]0;pwned\\u0007","a\\x7fb"]',
    );
  });
});
