import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { sampleProject } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";

const LAUNCHER = fileURLToPath(new URL("../../bin/gaffer", import.meta.url));

/** `bin/gaffer` as a user starts it: through its shebang, from a shell's environment. */
function launch(args: string[], cwd: string) {
  return spawn(LAUNCHER, args, {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Pids of the processes whose working directory is `dir`. */
function processesIn(dir: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === dir;
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

describe("e2e: the launcher", () => {
  it("runs gaffer in the very process it starts, on Node 22", async (t) => {
    const child = launch(["--version"], await sampleProject(t));
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    const [code] = await once(child, "close");
    assert.equal(code, 0);
    assert.match(out, /^\d+\.\d+\.\d+\n$/);
  });

  it("finds its own Node and code however it is named: a link, a relative path, through sh", async (t) => {
    const links = tempDir(t);
    symlinkSync(LAUNCHER, join(links, "gaffer")); // as npm's node_modules/.bin/gaffer
    symlinkSync(dirname(LAUNCHER), join(links, "bin")); // a linked directory
    const bin = dirname(LAUNCHER);
    const ways: Array<[program: string, args: string[], cwd: string]> = [
      [join(links, "gaffer"), [], links],
      [join(links, "bin", "gaffer"), [], links],
      ["./gaffer", [], bin],
      ["bin/gaffer", [], dirname(bin)],
      ["sh", ["gaffer"], bin],
      ["sh", ["./bin/gaffer"], dirname(bin)],
    ];
    for (const [program, args, cwd] of ways) {
      const child = spawn(program, [...args, "--version"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      child.stderr.on("data", (chunk) => (out += chunk));
      const [code] = await once(child, "close");
      assert.equal(code, 0, `${program} ${args.join(" ")} in ${cwd}: ${out}`);
      assert.match(out, /^\d+\.\d+\.\d+\n$/);
    }
  });

  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    it(`delivers ${signal} sent to the started pid to gaffer itself`, async (t) => {
      const project = await sampleProject(t);
      const child = launch(["status", "--watch", "--json"], project);
      await once(child.stdout, "data"); // the first frame: gaffer is up and watching
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
      assert.ok(
        cmdline.some((arg) => arg.endsWith("bin/gaffer.js")),
        `the started pid is gaffer itself: ${cmdline.join(" ")}`,
      );
      child.kill(signal);
      const [code, received] = await once(child, "close");
      assert.ok(code !== null || received === signal, `ended by ${signal}: code ${code}, signal ${received}`);
      assert.deepEqual(processesIn(project), [], "no gaffer process is left running");
    });
  }
});
