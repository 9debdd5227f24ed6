import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  builtInstallation,
  gafferAt,
  installationEnv,
  runtimeOf,
  standbySocketOf,
  standbysOf,
} from "../helpers/bundle.ts";
import { collect } from "../helpers/cli.ts";
import { gitOut } from "../helpers/git.ts";
import { fileItem, sampleProject, scenarioItem } from "../helpers/project.ts";
import { sandboxSkip } from "../helpers/sandbox.ts";
import { waitFor, waitForEvent } from "../helpers/wait.ts";

function config(warm: number): string {
  return `[gate]
max_fix_attempts = 1

[[gate.commands]]
name = "test"
run = "node --test"

[workspace]
warm = ${warm}

[sandbox]
env = ["STANDBY_MARK"]
`;
}

/** `gaffer warm --json`'s standby: the pid of the process ready for the next run. */
async function warmStandby(
  root: string,
  project: string,
  where: { cache?: string; runtime?: string } = {},
): Promise<number | null> {
  const warm = await gafferAt(root, ["warm", "--json"], project, {
    env: { STANDBY_MARK: "from-standby" },
    ...where,
  });
  assert.equal(warm.code, 0, warm.stderr);
  return (JSON.parse(warm.stdout) as { standby: number | null }).standby;
}

async function scenarioRun(project: string, title: string, steps: string): Promise<number> {
  return fileItem(project, scenarioItem(title, `[[attempts]]\nsteps = [${steps}]`));
}

/** `gaffer run` started as a user's terminal starts it, to signal it mid-run. */
function startRun(root: string, project: string, item: number) {
  const child = spawn(process.execPath, [join(root, "bin", "gaffer.js"), "run", String(item)], {
    cwd: project,
    env: installationEnv(root),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { child, result: collect(child) };
}

async function warmProject(t: TestContext) {
  const root = await builtInstallation(t);
  const project = await sampleProject(t, config(1));
  const standby = await warmStandby(root, project);
  assert.equal(typeof standby, "number", "gaffer warm readies a standby in a warm project");
  return { root, project, standby: standby as number };
}

/** A warm project whose standby runs a `gaffer run` whose agent is at work (for a long time). */
async function agentAtWork(t: TestContext) {
  const warm = await warmProject(t);
  const item = await scenarioRun(warm.project, "long", '{ run = "sleep 600" }');
  const started = startRun(warm.root, warm.project, item);
  await waitForEvent(warm.project, "agent.prompt");
  return { ...warm, ...started };
}

describe("e2e: the standby process (gaffer run in a warm project)", () => {
  it("runs the next gaffer run as the caller would: its directory, environment, output and exit code", async (t) => {
    const { root, project, standby } = await warmProject(t);
    assert.deepEqual(standbysOf(root), [standby]);
    const item = await scenarioRun(
      project,
      "mark",
      '{ run = "printenv STANDBY_MARK > mark.txt; umask >> mark.txt" }',
    );

    // Started as from a shell whose umask is not the standby's.
    const child = spawn(
      "sh",
      [
        "-c",
        'umask 027 && exec "$0" "$@"',
        process.execPath,
        join(root, "bin", "gaffer.js"),
        "run",
        String(item),
        "--json",
      ],
      {
        cwd: project,
        env: installationEnv(root, { env: { STANDBY_MARK: "from-client" } }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const run = await collect(child);
    assert.equal(run.code, 0, run.stderr);
    const { run: ran, proposal } = JSON.parse(run.stdout) as {
      run: { state: string };
      proposal: { branch: string };
    };
    assert.equal(ran.state, "proposed");
    assert.equal(gitOut(project, "show", `${proposal.branch}:mark.txt`), "from-client\n0027");

    await waitFor(() => !standbysOf(root).includes(standby), "the standby that ran it to leave");
    const next = await warmStandby(root, project);
    assert.ok(next !== null && next !== standby, "another standby is ready for the run after");
  });

  it("leaves a project without warm workspaces to run in the caller, and stays ready", async (t) => {
    const { root, project, standby } = await warmProject(t);
    const cold = await sampleProject(t, config(0));
    const item = await scenarioRun(cold, "cold", '{ write = "COLD.md", content = "cold\\n" }');
    const run = await gafferAt(root, ["run", String(item), "--json"], cold);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await warmStandby(root, project), standby, "the standby declined it and still waits");
  });

  it("passes Ctrl-C on: the run is cancelled and its workspace kept, as in the caller", async (t) => {
    const { root, standby, child, result } = await agentAtWork(t);
    child.kill("SIGINT");
    const ended = await result;
    assert.equal(ended.code, 130, ended.stderr);
    assert.match(ended.stderr, /cancelling/);
    assert.match(ended.stderr, /cancelled/);
    await waitFor(() => !standbysOf(root).includes(standby), "the standby to leave");
  });

  it("stops the run when its caller is killed", async (t) => {
    const { root, project, standby, child, result } = await agentAtWork(t);
    child.kill("SIGKILL");
    await result;
    await waitForEvent(project, "run.cancelled");
    await waitFor(() => !standbysOf(root).includes(standby), "the standby to leave");
  });

  it("never uses a dead standby's socket: the run starts in the caller and gaffer warm replaces it", async (t) => {
    const { root, project, standby } = await warmProject(t);
    process.kill(standby, "SIGKILL");
    await waitFor(() => !standbysOf(root).includes(standby), "the standby to die");
    const item = await scenarioRun(project, "after", '{ write = "AFTER.md", content = "after\\n" }');
    const run = await gafferAt(root, ["run", String(item)], project);
    assert.equal(run.code, 0, run.stderr);
    const next = await warmStandby(root, project);
    assert.ok(next !== null && next !== standby, `${standby} → ${next}; now ${standbysOf(root).join(" ")}`);
  });

  it("refuses a socket directory others can enter: no standby, runs start in the caller", async (t) => {
    const { root, project, standby } = await warmProject(t);
    process.kill(standby, "SIGKILL");
    await waitFor(() => !standbysOf(root).includes(standby), "the standby to die");
    const dir = join(runtimeOf(root), "gaffer-standby");
    chmodSync(dir, 0o755);
    assert.equal(await warmStandby(root, project), null);
    const direct = await gafferAt(root, ["standby"], project);
    assert.equal(direct.code, 65, direct.stderr);
    assert.match(direct.stderr, /is not a directory only this user can enter/);
    const item = await scenarioRun(project, "open", '{ write = "OPEN.md", content = "open\\n" }');
    const run = await gafferAt(root, ["run", String(item)], project);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(standbysOf(root), []);
  });

  it(
    "is out of a sandboxed agent's reach, whatever environment the standby and the run were started with",
    { skip: sandboxSkip() },
    async (t) => {
      const root = await builtInstallation(t);
      // gaffer's cache outside the home and /tmp, which every sandbox hides anyway.
      const cache = realpathSync(mkdtempSync("/var/tmp/gaffer-standby-"));
      t.after(() => rmSync(cache, { recursive: true, force: true }));
      const project = await sampleProject(t, config(1));
      assert.equal(typeof (await warmStandby(root, project, { cache })), "number");
      const socket = standbySocketOf(root);
      // The run's own runtime directory is another, so it runs in its caller, beside that standby.
      const elsewhere = `${root}.elsewhere`;
      mkdirSync(elsewhere);
      t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
      const item = await scenarioRun(
        project,
        "reach",
        `{ run = "if [ -e '${socket}' ] || [ -e '${join(cache, "gaffer", "config")}' ]; then echo visible; else echo hidden; fi > seen.txt" }`,
      );
      const run = await gafferAt(root, ["run", String(item), "--json"], project, {
        cache,
        runtime: elsewhere,
      });
      assert.equal(run.code, 0, run.stderr);
      const { proposal } = JSON.parse(run.stdout) as { proposal: { branch: string } };
      assert.equal(gitOut(project, "show", `${proposal.branch}:seen.txt`), "hidden");
    },
  );

  it("takes only a well-formed gaffer run: anything else is declined or ignored, and it keeps waiting", async (t) => {
    const { root, project, standby } = await warmProject(t);
    const socket = standbySocketOf(root);
    const env = installationEnv(root) as Record<string, string>;
    const start = (argv: string[]) => ({
      type: "start",
      argv,
      cwd: project,
      env,
      umask: 0o022,
      stdout: { isTTY: false },
      stderr: { isTTY: false },
    });
    const node = [process.execPath, join(root, "bin", "gaffer.js")];
    assert.deepEqual(await exchange(socket, start([...node, "issue", "add", "planted"])), ["declined"]);
    assert.deepEqual(await exchange(socket, start([...node, "-C", "/", "run", "1"])), ["declined"]);
    assert.deepEqual(await exchange(socket, { ...start([...node, "run", "1"]), stdout: null }), []);
    assert.deepEqual(await exchange(socket, null), []);
    assert.deepEqual(await exchange(socket, "x".repeat(64)), []);
    assert.deepEqual(await exchange(socket, { type: "ping" }), ["ready"]);
    assert.deepEqual(standbysOf(root), [standby]);
    const items = await gafferAt(root, ["issue", "list", "--json"], project);
    assert.ok(!items.stdout.includes("planted"), "the declined command never ran");
  });
});

/** Sends one JSON line to the socket; resolves to the types of what came back before it closed. */
function exchange(socket: string, message: unknown): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const connection = connect(socket);
    let said = "";
    connection.setEncoding("utf8");
    connection.on("connect", () => connection.write(`${JSON.stringify(message)}\n`));
    connection.on("data", (chunk: string) => {
      said += chunk;
    });
    connection.on("error", reject);
    connection.on("close", () =>
      resolve(
        said
          .split("\n")
          .filter(Boolean)
          .map((text) => (JSON.parse(text) as { type: string }).type),
      ),
    );
  });
}
