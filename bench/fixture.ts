import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    env: GIT_ENV,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * A repository of `files` source-like files in nested folders (about 50 MB for 5,000), one commit,
 * with a trivial gate and a scripted agent that starts, writes one file and ends.
 */
export function generateRepository(dir: string, files: number): void {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  for (let i = 0; i < files; i++) {
    const folder = join(dir, "src", `pkg${i % 50}`, `mod${i % 7}`);
    mkdirSync(folder, { recursive: true });
    const body = Array.from(
      { length: 40 + (i % 200) },
      (_, line) => `export const value${line} = ${i * line}; // file ${i}`,
    );
    writeFileSync(join(folder, `file${i}.ts`), `${body.join("\n")}\n`);
  }
  writeFileSync(
    join(dir, "gaffer.toml"),
    `[[gate.commands]]\nname = "check"\nrun = "true"\n\n[agents.bench]\ndriver = "scripted"\nscenario = "bench-scenario.toml"\n`,
  );
  writeFileSync(
    join(dir, "bench-scenario.toml"),
    `[[attempts]]\nsteps = [ { write = "BENCH.md", content = "ok\\n" } ]\n`,
  );
  writeFileSync(join(dir, ".gitignore"), ".gaffer/\n");
  git(dir, "add", "-A");
  git(dir, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "generated");
}
