import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runBranchName } from "../../src/workspace/index.ts";

describe("workspace/branch", () => {
  it("names run branches gaffer/<id>-<slug>", () => {
    assert.equal(runBranchName(12, "Add subtract()"), "gaffer/12-add-subtract");
    assert.equal(runBranchName("7", "  Ünïcödé & spaces__here "), "gaffer/7-unicode-spaces-here");
  });

  it("gives later runs of an item their own branch", () => {
    assert.equal(runBranchName(12, "Add subtract", 0), "gaffer/12-add-subtract");
    assert.equal(runBranchName(12, "Add subtract", 1), "gaffer/12-add-subtract-2");
  });

  it("never yields an empty slug", () => {
    assert.equal(runBranchName(3, "日本語"), "gaffer/3-work");
    assert.equal(runBranchName("", "x"), "gaffer/item-x");
  });

  it("cuts long titles at a word boundary", () => {
    const name = runBranchName(1, "make the parser accept trailing commas in every nested list literal");
    assert.equal(name, "gaffer/1-make-the-parser-accept-trailing-commas");
    assert.ok(runBranchName(1, "x".repeat(100)).length <= "gaffer/1-".length + 40);
  });
});
