import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { printable } from "../../src/util/printable.ts";
import { RAW_CONTROL } from "../helpers/terminal.ts";

describe("util/printable", () => {
  it("shows every C0 control escaped, the terminal sequences included", () => {
    assert.equal(printable("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
    assert.equal(printable("\x1b[2J\x1b[31mred"), "\\x1b[2J\\x1b[31mred");
    assert.equal(printable("a\x00b\x08c\x0bd\x1fe"), "a\\x00b\\x08c\\x0bd\\x1fe");
    for (let code = 0; code < 0x20; code++)
      assert.doesNotMatch(printable(String.fromCharCode(code)), RAW_CONTROL);
  });

  it("shows DEL and the C1 controls escaped", () => {
    assert.equal(printable("a\x7fb"), "a\\x7fb");
    assert.equal(printable("\x9b31m\x85\x90"), "\\x9b31m\\x85\\x90");
    for (let code = 0x7f; code <= 0x9f; code++)
      assert.doesNotMatch(printable(String.fromCharCode(code)), RAW_CONTROL);
  });

  it("escapes line breaks, carriage returns and tabs in a single-line field", () => {
    assert.equal(printable("subject\n# forged heading\r\tx"), "subject\\n# forged heading\\r\\tx");
    assert.equal(printable("a\u2028b\u2029c"), "a\\u2028b\\u2029c");
  });

  it("keeps line breaks and tabs in a block of text, and folds CRLF", () => {
    assert.equal(printable("one\r\n\ttwo\nthree\rfour\x1b[2K", "text"), "one\n\ttwo\nthree\\rfour\\x1b[2K");
  });

  it("neutralises bidi overrides, isolates and marks", () => {
    const bidi = [
      "\u202a",
      "\u202b",
      "\u202c",
      "\u202d",
      "\u202e",
      "\u2066",
      "\u2067",
      "\u2068",
      "\u2069",
      "\u200e",
      "\u200f",
      "\u061c",
    ];
    for (const char of bidi) assert.doesNotMatch(printable(`a${char}b`), RAW_CONTROL, escape(char));
    assert.equal(printable("invoice\u202efdp.exe"), "invoice\\u202efdp.exe");
    assert.equal(printable("\u2067x\u2069"), "\\u2067x\\u2069");
  });

  it("shows zero-width characters, as in a file name that mimics another", () => {
    assert.equal(printable("src/ca\u200blc.js"), "src/ca\\u200blc.js");
    assert.equal(printable("pay\u200dload\u200c\u2060\ufeff"), "pay\\u200dload\\u200c\\u2060\\ufeff");
  });

  it("keeps valid UTF-8 text and emoji, joined emoji too", () => {
    for (const text of ["naïve café — 日本語 · ½ → ✓", "👍 🎉", "👨‍👩‍👧 family", "🏳️‍🌈", "❤️‍🔥", "👩🏽‍💻", "Ωmega ﬁ"])
      assert.equal(printable(text), text);
  });

  it("shows invalid UTF-8 as replacement characters and lone surrogates escaped", () => {
    const decoded = Buffer.from([0x61, 0x9b, 0x62, 0xff, 0xc3]).toString("utf8");
    assert.equal(printable(decoded), "a\ufffdb\ufffd\ufffd");
    assert.equal(printable("a\ud800b\udfff"), "a\\ud800b\\udfff");
    assert.equal(Buffer.from(printable("x\ud83d")).toString("utf8"), "x\\ud83d");
  });

  it("escapes invisible tag characters beyond the BMP", () => {
    assert.equal(printable("hi\u{e0041}\u{e0042}"), "hi\\u{e0041}\\u{e0042}");
  });
});

function escape(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16)}`;
}
