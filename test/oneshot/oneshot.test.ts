import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { MODULE25_GATE, oneshotGate, RED_BUILD, simulationScenario } from "../../src/oneshot/index.ts";
import { EVENTS } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitOut, gitRepo } from "../helpers/git.ts";

/** The demo's test, run with python3 alone, so the matrix needs neither ruff nor pytest installed. */
const DEMO_GATE = `[[gate.commands]]
name = "test"
run = "python3 -c 'import test_agent_demo as t; t.test_discount_takes_a_percentage()'"
`;

const NO_AGENT = { AGENT_CMD: "", AGENT_CONFIG: "" };

/** A small Python project, the kind the Module-25 lab runs in, with a gate that needs only python3. */
function pythonProject(t: TestContext, config = DEMO_GATE): string {
  return gitRepo(t, {
    "tasks.py": "def add(tasks, title):\n    return [*tasks, title]\n",
    "issue-delete-command.md": "# Add a delete command\n\nDelete a task by its index.\n",
    ".gitignore": "__pycache__/\n.gaffer/\n",
    "gaffer.toml": config,
  });
}

const branches = (dir: string) => gitOut(dir, "branch", "--format=%(refname:short)").split("\n").sort();

describe("oneshot: the Module-25 runner's commands", () => {
  it("issue-to-pr --simulate good proposes agent/<issue-stem> and exits 0", async (t) => {
    const dir = pythonProject(t);
    const result = await gaffer(["issue-to-pr", "issue-delete-command.md", "--simulate", "good"], {
      cwd: dir,
      env: NO_AGENT,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /GATE PASSED\. Proposing a PR — NOT merging\./);
    assert.match(result.stdout, /git push -u origin agent\/issue-delete-command/);
    assert.deepEqual(branches(dir), ["agent/issue-delete-command", "main"]);
    assert.deepEqual(gitOut(dir, "diff", "--name-only", "main", "agent/issue-delete-command").split("\n"), [
      "agent_demo.py",
      "test_agent_demo.py",
    ]);
    assert.equal(gitOut(dir, "status", "--porcelain"), "", "the user's tree is untouched");
  });

  it("issue-to-pr --simulate bad proposes nothing and exits 1", async (t) => {
    const dir = pythonProject(t);
    const result = await gaffer(["issue-to-pr", "issue-delete-command.md", "--simulate", "bad"], {
      cwd: dir,
      env: NO_AGENT,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /GATE FAILED: the agent's change does not pass the gate\nWhy: .*\nNo PR proposed\./,
    );
    assert.match(result.stdout, /AssertionError/, "the gate's failure is shown");
    assert.deepEqual(branches(dir), ["main"]);
  });

  it("self-heal --simulate bad runs the gate first, heals on agent/self-heal and exits 0", async (t) => {
    const dir = pythonProject(t);
    const result = await gaffer(["self-heal", "--simulate", "bad", "--json"], { cwd: dir, env: NO_AGENT });
    assert.equal(result.code, 0, result.stderr);
    const healed = JSON.parse(result.stdout) as { branch: string; fixAttempts: number; run: { id: number } };
    assert.equal(healed.branch, "agent/self-heal");
    assert.equal(healed.fixAttempts, 1);
    assert.deepEqual(branches(dir), ["agent/self-heal", "main"]);
    assert.equal(
      gitOut(dir, "show", "agent/self-heal:agent_demo.py"),
      "def discount(price, pct):\n    return price - price * pct / 100",
    );
    const brief = readFileSync(
      join(dir, ".gaffer", "runs", String(healed.run.id), "attempt-1-brief.md"),
      "utf8",
    );
    assert.match(brief, /# A CI check just failed\. Fix the CODE so it passes/);
    assert.match(brief, /AssertionError/, "the agent got the gate-first failure");
  });

  it("self-heal --simulate stuck gives up after its fix attempts and exits 2", async (t) => {
    const dir = pythonProject(t);
    const result = await gaffer(["self-heal", "--simulate", "stuck"], { cwd: dir, env: NO_AGENT });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stdout,
      /SELF-HEAL GAVE UP after \d attempts\. Handing off to a human — NOT looping forever\./,
    );
    assert.deepEqual(branches(dir), ["main"]);
  });

  it("without --simulate or AGENT_CMD exits 1 and says what to set", async (t) => {
    const dir = pythonProject(t, "");
    for (const args of [["issue-to-pr", "issue-delete-command.md"], ["self-heal"]]) {
      const result = await gaffer(args, { cwd: dir, env: NO_AGENT });
      assert.equal(result.code, 1, args.join(" "));
      assert.match(
        result.stderr,
        /No --simulate and no AGENT_CMD set — set AGENT_CMD to your agent's headless command/,
      );
    }
    assert.deepEqual(branches(dir), ["main"]);
  });

  it("a gate tool that is not installed is a failed gate: exit 1, no branch", async (t) => {
    const missing = `[[gate.commands]]\nname = "lint"\nrun = "gaffer-test-no-such-linter check ."\n`;
    const dir = pythonProject(t, missing);
    const itp = await gaffer(["issue-to-pr", "issue-delete-command.md", "--simulate", "good"], {
      cwd: dir,
      env: NO_AGENT,
    });
    assert.equal(itp.code, 1, itp.stderr);
    assert.match(itp.stdout, /GATE FAILED.*\nWhy: .*gaffer-test-no-such-linter/);
    const heal = await gaffer(["self-heal", "--simulate", "bad"], { cwd: dir, env: NO_AGENT });
    assert.equal(heal.code, 1, heal.stderr);
    assert.deepEqual(branches(dir), ["main"]);
  });

  it("a parallel gate reports its steps in the declared order: the first failing one first, both outputs kept", async (t) => {
    // The test ends first; the lint fails only once it has, and is still the first failure reported.
    const together = `[gate]
parallel = true
max_fix_attempts = 0

[[gate.commands]]
name = "lint"
run = "while [ ! -e test.done ]; do sleep 0.01; done; echo 'lint: E999 the lint says no'; exit 1"
timeout = "2m"

[[gate.commands]]
name = "test"
run = "python3 -c 'import test_agent_demo as t; t.test_discount_takes_a_percentage()'; s=$?; touch test.done; exit $s"
`;
    const dir = pythonProject(t, together);
    const result = await gaffer(["issue-to-pr", "issue-delete-command.md", "--simulate", "bad", "--json"], {
      cwd: dir,
      env: NO_AGENT,
    });
    assert.equal(result.code, 1, result.stderr);
    const { run, failure } = JSON.parse(result.stdout) as { run: { id: number }; failure: string };
    assert.ok(
      failure.indexOf("E999") >= 0 && failure.indexOf("E999") < failure.indexOf("AssertionError"),
      failure,
    );
    const logs = await gaffer(["logs", String(run.id), "--json"], { cwd: dir });
    const events = logs.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
    assert.equal(events.find((e) => e.type === EVENTS.gateStarted.name)?.data.parallel, true);
    assert.deepEqual(
      events.filter((e) => e.type === EVENTS.gateStepFinished.name).map((e) => [e.data.name, e.data.passed]),
      [
        ["lint", false],
        ["test", false],
      ],
    );
    const log = (step: string) =>
      readFileSync(join(dir, ".gaffer", "runs", String(run.id), `attempt-1-${step}.log`), "utf8");
    assert.match(log("lint"), /E999/);
    assert.match(log("test"), /AssertionError/);
    assert.deepEqual(branches(dir), ["main"]);
  });

  it("honours AGENT_CMD and AGENT_CONFIG: the prompt in a file, the conventions in the brief", async (t) => {
    const dir = gitRepo(t, {
      "agent.sh": `grep -q "Delete a task by its index" "$1" || exit 3
printf 'def discount(price, pct):\\n    return price - price * pct / 100\\n' > agent_demo.py
printf 'from agent_demo import discount\\n\\n\\ndef test_discount_takes_a_percentage():\\n    assert discount(200, 10) == 180\\n' > test_agent_demo.py
`,
      "docs/agent-rules.md": "Keep functions pure.\n",
      "issue-delete-command.md": "# Add a delete command\n\nDelete a task by its index.\n",
      ".gitignore": "__pycache__/\n.gaffer/\n",
      "gaffer.toml": `${DEMO_GATE}\n[sandbox]\nmode = "preferred"\n`,
    });
    const result = await gaffer(["issue-to-pr", "issue-delete-command.md", "--json"], {
      cwd: dir,
      env: { AGENT_CMD: "sh agent.sh {prompt_file}", AGENT_CONFIG: "docs/agent-rules.md" },
    });
    assert.equal(result.code, 0, result.stderr);
    const { run } = JSON.parse(result.stdout) as { run: { id: number; agent: string } };
    assert.equal(run.agent, "command");
    const brief = readFileSync(join(dir, ".gaffer", "runs", String(run.id), "attempt-1-brief.md"), "utf8");
    assert.match(brief, /# Project conventions \(from docs\/agent-rules\.md\)\nKeep functions pure\./);
  });
});

describe("oneshot: defaults and simulations", () => {
  it("uses gaffer.toml's gate, else the runner's for Python and for a simulation, else the detected one", (t) => {
    const configured = gitRepo(t, { "gaffer.toml": DEMO_GATE, "test_x.py": "" });
    assert.deepEqual(oneshotGate(configured, loadConfig(configured), true), {
      commands: loadConfig(configured).gate.commands,
      parallel: false,
    });
    const together = gitRepo(t, { "gaffer.toml": `[gate]\nparallel = true\n\n${DEMO_GATE}` });
    assert.equal(oneshotGate(together, loadConfig(together), true).parallel, true, "gaffer.toml's parallel");
    const python = gitRepo(t, { "pyproject.toml": "[project]\nname = 'x'\n" });
    assert.deepEqual(oneshotGate(python, loadConfig(python), false), {
      commands: MODULE25_GATE,
      parallel: true,
    });
    const node = gitRepo(t, { "package.json": JSON.stringify({ scripts: { test: "node --test" } }) });
    const detected = oneshotGate(node, loadConfig(node), false);
    assert.deepEqual(
      detected.commands.map((c) => c.run),
      ["npm test"],
    );
    assert.equal(detected.parallel, false, "a detected gate runs one step after another");
    assert.deepEqual(
      oneshotGate(node, loadConfig(node), true),
      { commands: MODULE25_GATE, parallel: true },
      "the demo target is Python",
    );
    const bare = gitRepo(t, { "README.md": "x\n" });
    assert.throws(() => oneshotGate(bare, loadConfig(bare), false), { code: "config-invalid" });
  });

  it("writes the runner's demo target: the test, the wrong and the right discount", () => {
    assert.match(RED_BUILD["test_agent_demo.py"] ?? "", /assert discount\(200, 10\) == 180/);
    assert.match(RED_BUILD["agent_demo.py"] ?? "", /return price - pct\n$/);
    const stuck = simulationScenario("self-heal", "stuck", 2);
    assert.match(stuck, /price - pct - 1/);
    assert.match(stuck, /price - pct - 2/);
    assert.equal(stuck.match(/\[\[attempts\]\]/g)?.length, 2);
    assert.match(simulationScenario("issue-to-pr", "good", 3), /price - price \* pct \/ 100/);
  });
});
