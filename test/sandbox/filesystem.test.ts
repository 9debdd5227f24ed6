import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { GafferError } from "../../src/errors.ts";
import { createSandbox } from "../../src/sandbox/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { runIn, sandboxFixture, tryWrites } from "./fixture.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";

const READ_ONLY = /: .*(Read-only file system|Permission denied)$/;

describe("bwrap sandbox: filesystem", { skip: sandboxSkip() }, () => {
  test("the workspace is writable; the project, /etc, /usr and other directories are not", async (t) => {
    const f = sandboxFixture(t);
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const allowed = join(f.workspace, "new.txt");
    const refused = [
      join(f.project, "planted.txt"),
      "/etc/gaffer-planted",
      "/usr/gaffer-planted",
      join(f.outside, "x"),
    ];
    const result = await runIn(sandbox, tryWrites([allowed, ...refused]), { cwd: f.workspace, env: f.env });
    const [first, ...rest] = result.output.trim().split("\n");
    assert.equal(first, `${allowed}: ok`);
    assert.equal(rest.length, refused.length, result.output);
    for (const line of rest) assert.match(line, READ_ONLY);
    assert.ok(existsSync(allowed));
    for (const path of refused) assert.equal(existsSync(path), false, path);
  });

  test("a denied directory is empty but for the workspace bound back; a denied file reads empty", async (t) => {
    const f = sandboxFixture(t);
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const gaffer = join(f.project, ".gaffer");
    const script = `ls -A ${gaffer}; ls -A ${gaffer}/workspaces; cat ${f.project}/.env; echo "[end]"; ${tryWrites([join(gaffer, "x"), join(f.project, ".env")])}`;
    const result = await runIn(sandbox, script, { cwd: f.workspace, env: f.env });
    const [listing, workspaces, end, ...writes] = result.output.trim().split("\n");
    assert.deepEqual([listing, workspaces, end], ["workspaces", "run-1", "[end]"]);
    for (const line of writes) assert.match(line ?? "", READ_ONLY);
    assert.equal(readFileSync(join(f.project, ".env"), "utf8"), "API_KEY=hunter2\n");
  });

  test("the real HOME is hidden; HOME is the private home; /tmp is the private tmp", async (t) => {
    const f = sandboxFixture(t);
    const unrelated = join(tempDir(t, "gaffer-unrelated-"), "file");
    writeFileSync(unrelated, "host tmp\n");
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    const script = [
      `cat ${f.realHome}/.ssh/id_test 2>/dev/null || echo "key: unreadable"`,
      `echo "real home: $(ls -A ${f.realHome})."`,
      `echo "root: $(ls -A /root)."`,
      `echo "HOME=$HOME"`,
      `echo note > "$HOME/note" && echo scratch > /tmp/scratch`,
      `test -e ${unrelated} || echo "host tmp: hidden"`,
    ].join("\n");
    const result = await runIn(sandbox, script, { cwd: f.workspace, env: f.env });
    assert.deepEqual(result.output.trim().split("\n"), [
      "key: unreadable",
      "real home: .",
      "root: .",
      `HOME=${f.home}`,
      "host tmp: hidden",
    ]);
    assert.equal(readFileSync(join(f.home, "note"), "utf8"), "note\n");
    assert.equal(readFileSync(join(f.tmp, "scratch"), "utf8"), "scratch\n");
  });

  test("writable paths are writable; read-only paths survive a denied parent", async (t) => {
    const f = sandboxFixture(t);
    const shared = join(f.project, ".gaffer", "shared");
    mkdirSync(shared);
    writeFileSync(join(shared, "cache"), "cached\n");
    const sandbox = createSandbox(f.policy({ writable: [f.outside], readOnly: [shared] }), "bwrap");
    t.after(() => sandbox.close());
    const script = `cat ${shared}/cache; ${tryWrites([join(f.outside, "out"), join(shared, "x")])}`;
    const result = await runIn(sandbox, script, { cwd: f.outside, env: f.env });
    const [cache, wrote, refused] = result.output.trim().split("\n");
    assert.equal(cache, "cached");
    assert.equal(wrote, `${join(f.outside, "out")}: ok`);
    assert.match(refused ?? "", READ_ONLY);
  });

  test("a read-only or writable path inside a writable root is refused (it could be swapped for a symlink)", (t) => {
    const f = sandboxFixture(t);
    for (const policy of [
      f.policy({ readOnly: [join(f.workspace, "vendor")] }),
      f.policy({ writable: [join(f.home, "cache")] }),
    ]) {
      assert.throws(
        () => createSandbox(policy, "bwrap"),
        (error) => error instanceof GafferError && /lies inside/.test(error.message),
      );
    }
  });

  test("a working directory outside the workspace and writable paths is refused", (t) => {
    const f = sandboxFixture(t);
    const sandbox = createSandbox(f.policy(), "bwrap");
    t.after(() => sandbox.close());
    assert.throws(
      () => sandbox.wrap(["true"], { cwd: f.project, env: f.env }),
      (error) => error instanceof GafferError && /outside the workspace/.test(error.message),
    );
  });
});
