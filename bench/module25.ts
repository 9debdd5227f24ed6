import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { git } from "./fixture.ts";
import { summarize } from "./stats.ts";

const GAFFER = fileURLToPath(new URL("../bin/gaffer.js", import.meta.url));
const RUNNER = fileURLToPath(new URL("./module25/agent_runner.py", import.meta.url));
const ISSUE = "issue-delete-command.md";

/** The Module-25 lab's kind of project: a little Python app with its tests, and an issue file. */
function pythonProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    "tasks.py": "def add(tasks, title):\n    return [*tasks, title]\n",
    "test_tasks.py": "from tasks import add\n\n\ndef test_add():\n    assert add([], 'a') == ['a']\n",
    [ISSUE]: "# Add a delete command\n\nDelete a task by its index; an index out of range is an error.\n",
    ".gitignore": "__pycache__/\n.pytest_cache/\n.ruff_cache/\n.gaffer/\n",
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  git(dir, "init", "-q", "-b", "main");
  // The runner commits with whatever identity the repository has.
  git(dir, "config", "user.name", "bench");
  git(dir, "config", "user.email", "bench@localhost");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "tasks app");
}

/** Whether the runner's gate can run here at all: both need ruff and pytest on PATH. */
export function module25ToolsMissing(): string | undefined {
  for (const tool of ["ruff", "pytest"]) {
    if (spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

/** Wall time of one command in `cwd`; throws unless it exits 0. */
function timed(program: string, args: string[], cwd: string): number {
  const started = performance.now();
  const result = spawnSync(program, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const elapsed = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`${program} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

/**
 * `python3 agent_runner.py issue-to-pr issue.md --simulate good` against
 * `gaffer issue-to-pr issue.md --simulate good`, each on its own fresh copy of the same project,
 * alternating which goes first so load and caches hit both alike. gaffer starts without `init`.
 */
export function measureModule25(scratch: string, iterations: number) {
  const template = join(scratch, "template");
  pythonProject(template);
  const runner: number[] = [];
  const gaffer: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const runnerDir = join(scratch, `runner-${i}`);
    const gafferDir = join(scratch, `gaffer-${i}`);
    cpSync(template, runnerDir, { recursive: true });
    cpSync(template, gafferDir, { recursive: true });
    const runRunner = () =>
      runner.push(timed("python3", [RUNNER, "issue-to-pr", ISSUE, "--simulate", "good"], runnerDir));
    const runGaffer = () =>
      gaffer.push(
        timed(process.execPath, [GAFFER, "issue-to-pr", ISSUE, "--simulate", "good", "--plain"], gafferDir),
      );
    if (i % 2 === 0) {
      runRunner();
      runGaffer();
    } else {
      runGaffer();
      runRunner();
    }
    git(gafferDir, "rev-parse", "--verify", "agent/issue-delete-command");
  }
  const runnerMs = summarize(runner);
  const gafferMs = summarize(gaffer);
  return { runnerMs, gafferMs, ratio: Math.round((gafferMs.median / runnerMs.median) * 100) / 100 };
}
