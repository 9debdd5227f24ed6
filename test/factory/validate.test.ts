import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { gitRepo } from "../helpers/git.ts";
import { ccCiProject } from "./cc-ci.ts";

function assertOneLineError(
  result: { code: number | null; stdout: string; stderr: string },
  pattern: RegExp,
) {
  assert.equal(result.code, 78, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.split("\n").length, 2, `one line: ${result.stderr}`);
  assert.match(result.stderr, pattern);
}

describe("gaffer validate", () => {
  it("says OK with what it checked", async (t) => {
    const ccCi = ccCiProject(t);
    const ok = await gaffer(["validate"], { cwd: ccCi });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "OK, no gaffer.toml (defaults); agents.toml: 8 roles, 19 phases\n");
    const json = JSON.parse((await gaffer(["validate", "--json"], { cwd: ccCi })).stdout);
    assert.deepEqual(json.phase, { id: "poe2e", index: 18, done: false });

    const own = gitRepo(t, {
      "gaffer.toml": `[roles.builder]\n[[phases]]\nid = "a"\nplan = "a.md"\n`,
      "agents.toml": `[[roles]]\nname = "old"\n`,
      "fleet.toml": `[projects.self]\npath = "."\n`,
    });
    assert.equal(
      (await gaffer(["validate"], { cwd: own })).stdout,
      "OK, gaffer.toml: 1 role, 1 phase; agents.toml (not used: gaffer.toml has roles); fleet.toml: 1 project\n",
    );
    const bare = gitRepo(t, { "README.md": "hi\n" });
    assert.equal((await gaffer(["validate"], { cwd: bare })).stdout, "OK, no gaffer.toml (defaults)\n");
  });

  it("refuses a service with no command, and a command on a role that is not a service", async (t) => {
    const service = gitRepo(t, { "gaffer.toml": '[roles.tidy]\nkind = "service"\n' });
    assertOneLineError(
      await gaffer(["validate"], { cwd: service }),
      /^gaffer: gaffer\.toml:2: roles\.tidy\.kind: a service runs a command, and this one has none — add command = "…"$/m,
    );
    const loop = gitRepo(t, { "gaffer.toml": '[roles.builder]\ncommand = "make"\n' });
    assertOneLineError(
      await gaffer(["validate"], { cwd: loop }),
      /^gaffer: gaffer\.toml:2: roles\.builder\.command: only a service runs a command; this role is a loop/m,
    );
  });

  it("fails with exit 78 and one line for gaffer.toml, agents.toml (even unused), the phase index and a fleet", async (t) => {
    const dir = gitRepo(t, { "gaffer.toml": "[gate]\nmax_fix_atempts = 1\n" });
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      /^gaffer: gaffer\.toml:2: unknown key "max_fix_atempts" in \[gate\] — did you mean "max_fix_attempts"\?$/m,
    );
    writeFileSync(join(dir, "gaffer.toml"), "[roles.builder]\n");
    writeFileSync(join(dir, "agents.toml"), `[[roles]]\nname = "a"\nbackend = "claud"\n`);
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      /^gaffer: agents\.toml:3: roles\[0\]\.backend: unknown agent "claud" — did you mean "claude"\?/,
    );
    const ccCi = ccCiProject(t, "-1\n");
    assertOneLineError(await gaffer(["validate"], { cwd: ccCi }), /phase-idx: "-1" is not a phase index/);
    writeFileSync(join(dir, "agents.toml"), `[[roles]]\nname = "a"\n`);
    writeFileSync(join(dir, "fleet.toml"), `[projects.gone]\npath = "/nonexistent/gone"\n`);
    assertOneLineError(
      await gaffer(["validate"], { cwd: dir }),
      /^gaffer: fleet\.toml:2: projects\.gone\.path: \/nonexistent\/gone does not exist — /,
    );
  });
});
