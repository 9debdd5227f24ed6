import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { toolchainsInHome } from "../../src/engine/toolchains.ts";
import { gaffer } from "../helpers/cli.ts";
import { sampleProject } from "../helpers/project.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";
import { tempDir } from "../helpers/tmp.ts";

function executable(path: string, script: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
}

/**
 * A home as version managers leave it: a pyenv shim that finds its version through PYENV_ROOT
 * (as pyenv's own shims do), and a pipx-style link in ~/.local/bin into a virtual environment whose
 * interpreter lives elsewhere in the home.
 */
function homeWithToolchains(home: string): string[] {
  executable(join(home, ".pyenv", "versions", "3.12", "bin", "pyshim-tool"), "echo pyenv tool ran");
  executable(
    join(home, ".pyenv", "shims", "pyshim-tool"),
    'exec "${PYENV_ROOT:-$HOME/.pyenv}/versions/3.12/bin/pyshim-tool" "$@"',
  );
  executable(join(home, "python", "bin", "python-ish"), "echo venv tool ran");
  const venv = join(home, ".local", "pipx", "venvs", "venv-tool");
  executable(join(venv, "bin", "venv-tool"), `exec "${join(home, "python", "bin", "python-ish")}"`);
  writeFileSync(join(venv, "pyvenv.cfg"), `home = ${join(home, "python", "bin")}\n`);
  mkdirSync(join(home, ".local", "bin"), { recursive: true });
  symlinkSync(join(venv, "bin", "venv-tool"), join(home, ".local", "bin", "venv-tool"));
  writeFileSync(join(home, "secret.txt"), "not for the sandbox\n");
  return [join(home, ".pyenv", "shims"), join(home, ".local", "bin")];
}

describe("e2e: toolchains under the home directory", () => {
  it("shows what PATH reaches in the home, and nothing else of it", (t) => {
    const home = tempDir(t, "gaffer-home-");
    const path = homeWithToolchains(home);
    const found = toolchainsInHome({ HOME: home, PATH: [...path, "/usr/bin"].join(":") });
    assert.deepEqual(found.env, { PYENV_ROOT: join(home, ".pyenv") });
    assert.deepEqual(found.dirs.sort(), [
      join(home, ".local", "bin"),
      join(home, ".local", "pipx", "venvs", "venv-tool"),
      join(home, ".pyenv"),
      join(home, ".pyenv", "shims"),
      join(home, "python"),
    ]);
    assert.deepEqual(toolchainsInHome({ HOME: home, PATH: "/usr/bin" }), { dirs: [], env: {} });
  });

  it("runs a gate whose tools live in the home, inside the sandbox", { skip: sandboxSkip() }, async (t) => {
    const home = tempDir(t, "gaffer-home-");
    const path = homeWithToolchains(home);
    const dir = await sampleProject(
      t,
      [
        `[sandbox]\nmode = "required"\n`,
        `[[gate.commands]]\nname = "pyenv"\nrun = "pyshim-tool"\n`,
        `[[gate.commands]]\nname = "pipx"\nrun = "venv-tool"\n`,
        `[[gate.commands]]\nname = "home-hidden"\nrun = "test ! -e ${join(home, "secret.txt")}"\n`,
      ].join("\n"),
    );
    const result = await gaffer(["run", "1"], {
      cwd: dir,
      // The machine's own PYENV_ROOT, if it has one, is not this home's.
      env: { HOME: home, PATH: [...path, process.env.PATH].join(":"), PYENV_ROOT: "" },
    });
    const log = (name: string) =>
      readFileSync(join(dir, ".gaffer", "runs", "1", `attempt-1-${name}.log`), "utf8");
    assert.equal(result.code, 0, `${result.stderr}\n${log("home-hidden")}`);
    assert.match(result.stderr, /gate pyenv: passed/);
    assert.match(result.stderr, /gate pipx: passed/);
    assert.match(result.stderr, /gate home-hidden: passed/);
  });
});
