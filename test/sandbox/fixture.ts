import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import type { Sandbox, SandboxPolicy } from "../../src/sandbox/index.ts";
import { type ProcessResult, runProcess } from "../../src/util/process.ts";
import { git, gitRepo } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";

export interface SandboxFixture {
  /** A real project with a committed `.env` and a `.gaffer/` holding state and the workspace. */
  project: string;
  /** `git clone --shared` of the project at `<project>/.gaffer/workspaces/run-1`. */
  workspace: string;
  home: string;
  tmp: string;
  /** A directory next to home and tmp that the policy does not mention. */
  outside: string;
  /**
   * The user's "real" home (with `.ssh/id_test`), passed to wrap as HOME; never the real /root.
   * It sits next to home and tmp, which the sandbox shows, so only the HOME rule can hide it.
   */
  realHome: string;
  /** gaffer's environment as the tests pass it to wrap: HOME is realHome, plus a token. */
  env: NodeJS.ProcessEnv;
  policy(overrides?: Partial<SandboxPolicy>): SandboxPolicy;
}

export function sandboxFixture(t: TestContext): SandboxFixture {
  const project = gitRepo(t, { "README.md": "hello\n", ".env": "API_KEY=hunter2\n" });
  const workspace = join(project, ".gaffer", "workspaces", "run-1");
  git(project, "clone", "--quiet", "--shared", project, workspace);
  writeFileSync(join(project, ".gaffer", "state.db"), "store\n");
  const scratch = tempDir(t, "gaffer-sandbox-test-");
  const [home, tmp, outside, realHome] = ["home", "tmp", "outside", "real-home"].map((name) =>
    join(scratch, name),
  ) as [string, string, string, string];
  for (const dir of [home, tmp, outside, join(realHome, ".ssh")]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(realHome, ".ssh", "id_test"), "PRIVATE KEY\n");
  const env = { ...process.env, HOME: realHome, SECRET_TOKEN: "s3cr3t" };
  const policy = (overrides: Partial<SandboxPolicy> = {}): SandboxPolicy => ({
    workspace,
    home,
    tmp,
    writable: [],
    // The Node running these tests may live anywhere, a checkout in /tmp included: keep it visible,
    // as the engine does for the Node that runs gaffer.
    readOnly: [dirname(dirname(process.execPath))],
    deny: [join(project, ".gaffer"), join(project, ".env")],
    network: { mode: "none" },
    envAllow: ["PATH", "LANG"],
    env: { GAFFER_RUN_ID: "1" },
    ...overrides,
  });
  return { project, workspace, home, tmp, outside, realHome, env, policy };
}

/** Runs a command (a string: a shell script) through the sandbox, as gaffer would spawn it. */
export function runIn(
  sandbox: Sandbox,
  command: string | string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ProcessResult> {
  const argv = typeof command === "string" ? ["/bin/sh", "-c", command] : command;
  const wrapped = sandbox.wrap(argv, options);
  const [file = "", ...args] = wrapped.argv;
  return runProcess(file, args, {
    cwd: options.cwd,
    env: wrapped.env,
    timeoutMs: options.timeoutMs ?? 10_000,
    killGraceMs: 200,
  });
}

/** Shell that tries to create each path and prints `<path>: ok` or `<path>: <error>`. */
export function tryWrites(paths: readonly string[]): string {
  return paths
    .map((path) => `if msg=$( (: > '${path}') 2>&1); then echo '${path}: ok'; else echo "${path}: $msg"; fi`)
    .join("\n");
}
