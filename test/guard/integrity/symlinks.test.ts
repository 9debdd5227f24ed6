import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Landing,
  MAX_LINK_HOPS,
  misdirectedLinks,
  resolveLink,
  type TreeEntry,
} from "../../../src/guard/integrity/symlinks.ts";

/** Each case: the links of a tree (path → target), the link judged, where it lands. */
const CASES: { name: string; links: Record<string, string>; link: string; landing: Landing }[] = [
  { name: "a sibling file", links: { "src/alias.js": "math.js" }, link: "src/alias.js", landing: "inside" },
  { name: "up and down again", links: { "src/a": "../docs/x.md" }, link: "src/a", landing: "inside" },
  { name: "the root itself", links: { "src/root": ".." }, link: "src/root", landing: "inside" },
  { name: "a missing target inside", links: { a: "build/out" }, link: "a", landing: "inside" },
  { name: "a benign chain", links: { a: "b", b: "src/c", "src/c": "../docs" }, link: "a", landing: "inside" },
  { name: "an absolute path", links: { p: "/etc/passwd" }, link: "p", landing: "absolute" },
  { name: "climbing out", links: { "src/up": "../../outside" }, link: "src/up", landing: "outside" },
  { name: "climbing out and back", links: { x: "../repo/x" }, link: "x", landing: "outside" },
  { name: ".git's config", links: { "src/c": "../.git/config" }, link: "src/c", landing: "git-dir" },
  { name: ".git itself", links: { g: "./.git" }, link: "g", landing: "git-dir" },
  { name: ".git in another case", links: { g: ".GIT/hooks" }, link: "g", landing: "git-dir" },
  {
    name: "a chain out: `..` through a link",
    links: { "sub/up": "..", escape: "sub/up/.." },
    link: "escape",
    landing: "outside",
  },
  {
    name: "a chain into .git",
    links: { "sub/up": "..", hooks: "sub/up/.git/hooks" },
    link: "hooks",
    landing: "git-dir",
  },
  {
    name: "a link to a link that is absolute",
    links: { a: "b", b: "/home" },
    link: "a",
    landing: "absolute",
  },
  {
    name: "a directory link, then `..` twice",
    links: { "a/b/c": "../../d/e", "d/e": "..", x: "a/b/c/../.." },
    link: "x",
    landing: "outside",
  },
  { name: "a loop of two", links: { a: "b", b: "a" }, link: "a", landing: "loop" },
  { name: "a link to itself", links: { self: "self/x" }, link: "self", landing: "loop" },
];

describe("guard/integrity/symlinks", () => {
  for (const { name, links, link, landing } of CASES) {
    it(`${name}: ${landing}`, () => {
      assert.equal(resolveLink(new Map(Object.entries(links)), link), landing);
    });
  }

  it("follows a chain as long as the kernel would, and no longer", () => {
    const chain = (length: number) =>
      new Map(Array.from({ length }, (_, i) => [`l${i}`, i === length - 1 ? ".." : `l${i + 1}`]));
    assert.equal(resolveLink(chain(MAX_LINK_HOPS), "l0"), "outside");
    assert.equal(resolveLink(chain(MAX_LINK_HOPS + 1), "l0"), "loop");
  });

  it("lists the misdirected links of a tree listing, sorted, with their targets", () => {
    const entries: TreeEntry[] = [
      { path: "src/math.js", mode: "100644" },
      { path: "sub", mode: "160000" },
      { path: "z", mode: "120000", target: "/etc" },
      { path: "sub-up/up", mode: "120000", target: ".." },
      { path: "escape", mode: "120000", target: "sub-up/up/.." },
      { path: "alias", mode: "120000", target: "src/math.js" },
    ];
    assert.deepEqual(misdirectedLinks(entries), [
      { path: "escape", target: "sub-up/up/..", landing: "outside" },
      { path: "z", target: "/etc", landing: "absolute" },
    ]);
  });
});
