import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runProcess } from "../util/index.ts";
import { SAMPLE_CONFIG, SAMPLE_FILES } from "./sample.ts";

/** Writes the sample project into `dir` (with `config` after its gaffer.toml) and commits it on `main`. */
export async function createSampleRepository(dir: string, options: { config?: string } = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const config = SAMPLE_CONFIG + (options.config ?? "");
  for (const [path, content] of Object.entries({ ...SAMPLE_FILES, "gaffer.toml": config })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const git = async (...args: string[]) => {
    const result = await runProcess("git", args, {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" },
    });
    if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.output.trim()}`);
  };
  await git("init", "-q", "-b", "main");
  await git("add", ".");
  await git(
    "-c",
    "user.name=gaffer demo",
    "-c",
    "user.email=demo@localhost",
    "commit",
    "-q",
    "-m",
    "Calculator library",
  );
}
