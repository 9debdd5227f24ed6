import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { ownerToken } from "../../src/engine/index.ts";
import { pidDir, readPidFiles } from "../../src/factory/index.ts";
import { killGroup } from "../../src/util/process.ts";
import { ccCiProject, startSessions } from "../factory/cc-ci.ts";
import { gaffer } from "../helpers/cli.ts";
import { gitOut, gitRepo } from "../helpers/git.ts";
import { sampleProject } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";
import { claudeInstalled } from "../helpers/stub-agent.ts";

/** `gaffer` with a fleet file named by --fleet. */
const fleet = (args: string[], file: string, cwd: string) => gaffer([...args, "--fleet", file], { cwd });

describe("e2e: fleet and create-project", () => {
  it("validates a fleet and reports each project: daemon, roles, open items, proposals", async (t) => {
    const ccCi = ccCiProject(t);
    startSessions(t, ccCi, ["cc-ci-builder", "cc-ci-adv", "cc-ci-watchdog"]);
    const web = await sampleProject(
      t,
      `[roles.builder]\n[roles.reviewer]\n[[gate.commands]]\nname = "test"\nrun = "node --test"\n`,
    );
    assert.equal((await gaffer(["run", "1"], { cwd: web })).code, 0, "one proposal");
    const daemon = spawn("sleep", ["600"], { stdio: "ignore" });
    t.after(() => daemon.kill("SIGKILL"));
    mkdirSync(join(web, ".gaffer", "factory"), { recursive: true });
    const record = {
      pid: daemon.pid,
      owner: ownerToken(daemon.pid),
      root: web,
      namespace: "web-",
      startedAt: 0,
    };
    writeFileSync(join(web, ".gaffer", "factory", "daemon.json"), JSON.stringify(record));

    const home = tempDir(t);
    const file = join(home, "fleet.toml");
    writeFileSync(
      file,
      `[projects.cc-ci]\npath = "${ccCi}"\nenabled = false\n\n[projects.web]\npath = "${web}"\n`,
    );
    const validated = await fleet(["fleet", "validate"], file, home);
    assert.equal(validated.code, 0, validated.stderr);
    assert.equal(validated.stdout, "OK, 2 projects\n");

    const status = JSON.parse((await fleet(["fleet", "status", "--json"], file, home)).stdout);
    const webStatus = JSON.parse((await gaffer(["status", "--json"], { cwd: web })).stdout);
    assert.deepEqual(status.projects, [
      {
        name: "cc-ci",
        path: ccCi,
        enabled: false,
        daemon: { running: false, pid: null },
        roles: { running: 3, total: 8 },
        openItems: 0,
        proposals: 0,
        error: null,
      },
      {
        name: "web",
        path: web,
        enabled: true,
        daemon: { running: true, pid: daemon.pid },
        roles: { running: 2, total: 2 },
        openItems: webStatus.openItems,
        proposals: webStatus.counts.proposed,
        error: null,
      },
    ]);
    assert.equal(webStatus.counts.proposed, 1);
    const text = (await fleet(["fleet", "status"], file, home)).stdout.split("\n");
    assert.match(text[1] ?? "", /^PROJECT +ENABLED +DAEMON +ROLES +OPEN ITEMS +PROPOSALS +PATH$/);
    assert.match(text[2] ?? "", /^cc-ci +no +stopped +3\/8 running +0 +0 +\//);
    assert.match(
      text[3] ?? "",
      new RegExp(`^web +yes +running \\(pid ${daemon.pid}\\) +2/2 running +${webStatus.openItems} +1 +/`),
    );

    daemon.kill("SIGKILL");
    await once(daemon, "exit");
    const after = JSON.parse((await fleet(["fleet", "status", "--json"], file, home)).stdout);
    assert.equal(after.projects[1].daemon.running, false, "a dead daemon's record does not count");
  });

  it("names the fleet file's line and key for a missing path, a non-repository, a bad project config, unknown keys", async (t) => {
    const home = tempDir(t);
    const file = join(home, "fleet.toml");
    const check = async (text: string, pattern: RegExp) => {
      writeFileSync(file, text);
      const result = await fleet(["fleet", "validate"], file, home);
      assert.equal(result.code, 78, result.stderr);
      assert.equal(result.stderr.split("\n").length, 2, `one line: ${result.stderr}`);
      assert.match(result.stderr, pattern);
    };
    await check(
      `[projects.a]\npath = "missing"\n`,
      /^gaffer: fleet\.toml:2: projects\.a\.path: \S+\/missing does not exist — /,
    );
    const plain = tempDir(t);
    await check(
      `\n[projects.b]\npath = "${plain}"\n`,
      /^gaffer: fleet\.toml:3: projects\.b\.path: \S+ is not a git repository — /,
    );
    const bad = gitRepo(t, { "gaffer.toml": '[roles.builder]\nkind = "lop"\n' });
    await check(
      `[projects.c]\npath = "${bad}"\n`,
      /^gaffer: fleet\.toml:2: projects\.c: \S*gaffer\.toml:2: roles\.builder\.kind: must be one of "loop", "task", "persistent", "service" — set it to one of those$/m,
    );
    await check(
      `[projects.d]\npath = "x"\nenbled = false\n`,
      /^gaffer: fleet\.toml:3: unknown key "enbled" in \[projects\.d\] — did you mean "enabled"\?$/m,
    );
    const twice = gitRepo(t, { "README.md": "hi\n" });
    await check(
      `[projects.x]\npath = "${twice}"\n[projects.y]\npath = "${twice}/"\n`,
      /^gaffer: fleet\.toml:4: projects\.y\.path: \S+ is projects\.x too — list each repository once$/m,
    );
    await check(
      `[project.e]\npath = "x"\n`,
      /^gaffer: fleet\.toml:1: unknown key "project" — did you mean "projects"\?$/m,
    );
  });

  it("finds the fleet file from --fleet, $GAFFER_FLEET, ./fleet.toml, then the user's config directory", async (t) => {
    const project = gitRepo(t, { "README.md": "hi\n" });
    const config = tempDir(t);
    const xdg = join(config, "gaffer", "fleet.toml");
    mkdirSync(join(config, "gaffer"));
    writeFileSync(xdg, `[projects.x]\npath = "${project}"\n`);
    const cwd = tempDir(t);
    const env = { XDG_CONFIG_HOME: config, GAFFER_FLEET: "" };
    const count = async (extra: NodeJS.ProcessEnv = {}, args: string[] = []) =>
      (await gaffer(["fleet", "validate", ...args], { cwd, env: { ...env, ...extra } })).stdout;
    assert.equal(await count(), "OK, 1 project\n", "the user's config directory");
    writeFileSync(join(cwd, "fleet.toml"), "");
    assert.equal(await count(), "OK, 0 projects\n", "./fleet.toml first");
    const named = join(cwd, "named.toml");
    writeFileSync(named, `[projects.x]\npath = "${project}"\n`);
    assert.equal(
      await count({ GAFFER_FLEET: named }),
      "OK, 1 project\n",
      "$GAFFER_FLEET before ./fleet.toml",
    );
    assert.equal(
      await count({ GAFFER_FLEET: named }, ["--fleet", "fleet.toml"]),
      "OK, 0 projects\n",
      "--fleet first",
    );
    const missing = await gaffer(["fleet", "status"], {
      cwd,
      env: { ...env, GAFFER_FLEET: join(cwd, "nope.toml") },
    });
    assert.equal(missing.code, 78);
    assert.match(missing.stderr, /^gaffer: no fleet file at \S+nope\.toml — /);
  });

  it("fleet up and down run `gaffer up` and `gaffer down` in each enabled project, skipping disabled ones", async (t) => {
    // Registered first so it runs before the directories are removed: nothing is left running.
    let service = "";
    const leftovers: number[] = [];
    t.after(async () => {
      await gaffer(["down"], { cwd: service, env });
      for (const pid of leftovers) killGroup(pid, "SIGKILL");
    });
    const env = { XDG_STATE_HOME: tempDir(t) };
    service = gitRepo(t, {
      "gaffer.toml": `[roles.builder]\n[roles.tidy]\nkind = "service"\ncommand = "sleep 600"\n`,
    });
    const empty = gitRepo(t, { "README.md": "no roles here\n" });
    const ccCi = ccCiProject(t);
    const home = tempDir(t);
    const file = join(home, "fleet.toml");
    writeFileSync(
      file,
      `[projects.svc]\npath = "${service}"\n[projects.cc-ci]\npath = "${ccCi}"\nenabled = false\n[projects.empty]\npath = "${empty}"\n`,
    );
    const up = await gaffer(["fleet", "up", "--fleet", file], { cwd: home, env });
    assert.equal(up.code, 1, "one project could not start");
    assert.match(up.stdout, new RegExp(`^== svc: gaffer -C ${service} up\ngaffer is up: 2 roles`, "m"));
    assert.match(up.stdout, /^== cc-ci: skipped \(enabled = false\)$/m);
    assert.match(up.stderr, /no roles, so there is no factory to start/);
    assert.match(up.stdout, /^up: 1 of 2 projects failed: empty \(exit 78\)$/m);

    const status = async () =>
      JSON.parse((await gaffer(["fleet", "status", "--json", "--fleet", file], { cwd: home, env })).stdout)
        .projects;
    let svc = (await status())[0];
    for (
      const deadline = Date.now() + 10_000;
      svc.roles.running === 0 && Date.now() < deadline;
      await sleep(200)
    )
      svc = (await status())[0];
    assert.equal(svc.daemon.running, true);
    assert.deepEqual(svc.roles, { running: 2, total: 2 }, "the service runs; the builder loops, idle");
    assert.equal((await status())[1].daemon.running, false, "the disabled project was left alone");

    leftovers.push(...readPidFiles(pidDir(join(service, ".gaffer"))).map((file) => file.pid));
    const down = await gaffer(["fleet", "down", "--fleet", file], { cwd: home, env });
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /^down: 2 projects done$/m);
    const after = (await status())[0];
    assert.deepEqual([after.daemon.running, after.roles.running], [false, 0]);
  });

  it("create-project scaffolds a committed repository that validates, and registers it without touching the rest of the fleet file", async (t) => {
    const home = tempDir(t);
    const file = join(home, "fleet.toml");
    const before = `# my fleet\n[projects.old]   # keep this comment\npath = "/srv/old"\nenabled=false\n`;
    writeFileSync(file, before);
    const created = await gaffer(["create-project", "shop", "--fleet", "fleet.toml"], { cwd: home });
    assert.equal(created.code, 0, created.stderr);
    const dir = join(home, "shop");
    assert.deepEqual(gitOut(dir, "ls-files").split("\n"), [
      ".gitignore",
      "gaffer.toml",
      "prompts/builder.md",
      "prompts/kickoff.md",
      "prompts/reviewer.md",
    ]);
    assert.equal(gitOut(dir, "status", "--porcelain"), "", "everything is committed");
    assert.equal(gitOut(dir, "log", "--format=%s"), "Create shop with gaffer create-project");
    assert.equal(readFileSync(file, "utf8"), `${before}\n[projects.shop]\npath = "shop"\nenabled = true\n`);

    const validated = await gaffer(["validate"], { cwd: dir, env: claudeInstalled(t) });
    assert.equal(validated.code, 0, validated.stderr);
    assert.equal(validated.stdout, "OK, gaffer.toml: 2 roles, 1 phase\n");
    const status = (await gaffer(["status"], { cwd: dir })).stdout.split("\n");
    assert.deepEqual(status.slice(0, 3), [
      "phase: start [1/1] plan=PLAN.md (in progress)",
      "builder  loop claude - heal+stall stopped",
      "reviewer loop claude - heal+stall stopped",
    ]);
    assert.match(
      (await gaffer(["kickoff", "builder"], { cwd: dir })).stdout,
      /^You are the builder of this project\. The current phase is start \(in progress\)\./,
    );

    const again = await gaffer(["create-project", "shop", "--dir", "elsewhere", "--fleet", "fleet.toml"], {
      cwd: home,
    });
    assert.equal(again.code, 64);
    assert.match(again.stderr, /has a project named shop already/);
    assert.equal(
      (await gaffer(["create-project", "shop"], { cwd: home })).code,
      64,
      "the directory is taken",
    );
    const badName = await gaffer(["create-project", "my.shop"], { cwd: home });
    assert.equal(badName.code, 64);
    assert.match(badName.stderr, /"my\.shop" is not a project name — use letters, digits, '-' or '_'/);
  });
});
