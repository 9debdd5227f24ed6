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
 * taking turns at going first so load and caches hit both alike. gaffer starts without `init`.
 * `baseline`, another gaffer's `bin/gaffer.js` (an earlier build), is measured in the same turns.
 */
export function measureModule25(scratch: string, iterations: number, baseline?: string) {
  const template = join(scratch, "template");
  pythonProject(template);
  const runner: number[] = [];
  const gaffer: number[] = [];
  const earlier: number[] = [];
  const gafferRun = (bin: string, into: number[], dir: string) => () =>
    into.push(timed(process.execPath, [bin, "issue-to-pr", ISSUE, "--simulate", "good", "--plain"], dir));
  for (let i = 0; i < iterations; i++) {
    const dirs = ["runner", "gaffer", ...(baseline ? ["baseline"] : [])].map((name) =>
      join(scratch, `${name}-${i}`),
    );
    for (const dir of dirs) cpSync(template, dir, { recursive: true });
    const [runnerDir = "", gafferDir = "", baselineDir = ""] = dirs;
    const turns = [
      () => runner.push(timed("python3", [RUNNER, "issue-to-pr", ISSUE, "--simulate", "good"], runnerDir)),
      gafferRun(GAFFER, gaffer, gafferDir),
      ...(baseline ? [gafferRun(baseline, earlier, baselineDir)] : []),
    ];
    // Each takes its turn at going first.
    for (let turn = 0; turn < turns.length; turn++) turns[(i + turn) % turns.length]?.();
    git(gafferDir, "rev-parse", "--verify", "agent/issue-delete-command");
  }
  const runnerMs = summarize(runner);
  const gafferMs = summarize(gaffer);
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    runnerMs,
    gafferMs,
    ratio: ratio(gafferMs.median, runnerMs.median),
    ...(baseline && {
      baseline: {
        bin: baseline,
        gafferMs: summarize(earlier),
        ratio: ratio(summarize(earlier).median, runnerMs.median),
        speedup: ratio(summarize(earlier).median, gafferMs.median),
      },
    }),
  };
}
