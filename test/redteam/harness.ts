import { randomBytes } from "node:crypto";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { TestContext } from "node:test";
import { createSampleRepository } from "../../src/demo/index.ts";
import { openProject, projectPaths } from "../../src/engine/index.ts";
import {
  addItem,
  type GafferEvent,
  listEvents,
  listRuns,
  openStoreReadOnly,
  type Run,
} from "../../src/store/index.ts";
import { type CliResult, gaffer } from "../helpers/cli.ts";
import { commitAll, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import type { Attack } from "./kit.ts";

/**
 * The secret every attack hunts for, made when the suite starts: a sandbox that can see gaffer's own
 * source (the scripted agent runs from it) must not find it there as a literal.
 */
export const SECRET = `s3cr3t-token-${randomBytes(6).toString("hex")}`;

/**
 * Everything an attack could reach outside its workspace: the project, a canary directory, a fake
 * home with an SSH key, the project's .env, a bare repository to push to, and two loopback
 * listeners (HTTP and DNS-over-UDP) that must never hear from the agent.
 */
export interface Arena {
  project: string;
  canary: string;
  home: string;
  /** gaffer's own cache (a remembered bubblewrap probe): gaffer writes there, not the attack. */
  cache: string;
  bare: string;
  httpPort: number;
  dnsPort: number;
  heard: string[];
  close(): Promise<void>;
}

/**
 * A fresh project for one attack: the sample repository, plus the attack's `files` committed on its
 * default branch. An attack that needs no sandbox runs with `[sandbox] mode = "preferred"`, so it
 * runs where bubblewrap is missing too.
 */
export async function arena(
  t: TestContext,
  attack: Pick<Attack, "config" | "files" | "fixAttempts" | "needsSandbox"> = {},
): Promise<Arena> {
  const { config = "", files = {}, fixAttempts = 0 } = attack;
  const sandbox = (attack.needsSandbox ?? true) ? "required" : "preferred";
  const project = tempDir(t, "gaffer-redteam-");
  await createSampleRepository(project);
  if (Object.keys(files).length > 0) {
    writeFiles(project, files);
    commitAll(project, "files the attack needs");
  }
  writeFileSync(join(project, ".env"), `API_TOKEN=${SECRET}\n`);
  writeFileSync(
    join(project, "gaffer.toml"),
    `[gate]\nmax_fix_attempts = ${fixAttempts}\n\n[[gate.commands]]\nname = "test"\nrun = "node --test"\n\n[sandbox]\nmode = "${sandbox}"\n${config}`,
  );
  (await openProject(project)).close(); // gaffer's own first touch (.gaffer/, .git/info/exclude) happens before the fingerprint
  const canary = tempDir(t, "gaffer-canary-");
  writeFileSync(join(canary, "canary.txt"), "untouched\n");
  const home = tempDir(t, "gaffer-home-");
  mkdirSync(join(home, ".ssh"));
  writeFileSync(join(home, ".ssh", "id_ed25519"), `-----BEGIN KEY----- ${SECRET}\n`);
  const cache = tempDir(t, "gaffer-cache-");
  const bare = join(tempDir(t, "gaffer-bare-"), "remote.git");
  execFileSync("git", ["init", "-q", "--bare", bare]);
  const heard: string[] = [];
  const http = createHttpServer((request, response) => {
    heard.push(`http ${request.url}`);
    response.end("ok");
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const dns = createSocket("udp4");
  dns.on("message", (message) => heard.push(`dns ${message.toString("latin1")}`));
  await new Promise<void>((resolve) => dns.bind(0, "127.0.0.1", resolve));
  const close = async () => {
    await new Promise((resolve) => http.close(resolve));
    dns.close();
  };
  t.after(close);
  const httpPort = (http.address() as { port: number }).port;
  const dnsPort = dns.address().port;
  return { project, canary, home, cache, bare, httpPort, dnsPort, heard, close };
}

export interface AttackResult {
  cli: CliResult;
  run: Run | undefined;
  events: GafferEvent[];
  workspaceFile(path: string): string | undefined;
}

/**
 * Files the attack as an item whose body carries the scenario, runs it through the CLI (then, with
 * `resume`, once more with --resume: what the first run planted meets gaffer's next start), and
 * collects the record.
 */
export async function attack(
  arenaInfo: Arena,
  title: string,
  scenario: string,
  options: { resume?: boolean; under?: readonly string[]; env?: Record<string, string> } = {},
): Promise<AttackResult> {
  const project = await openProject(arenaInfo.project);
  const item = await addItem(project.store.db, {
    title,
    body: `${title}\n\n\`\`\`scenario\n${scenario.trim()}\n\`\`\`\n`,
  });
  await project.close();
  const runs = options.resume ? [[], ["--resume"]] : [[]];
  let cli: CliResult | undefined;
  for (const extra of runs) {
    const result = await gaffer(["run", String(item.id), ...extra], {
      cwd: arenaInfo.project,
      env: {
        HOME: arenaInfo.home,
        XDG_CACHE_HOME: arenaInfo.cache,
        SECRET_TOKEN: SECRET,
        GITHUB_TOKEN: SECRET,
        ...options.env,
      },
      ...(options.under && { under: options.under }),
    });
    cli = cli
      ? { ...result, stdout: cli.stdout + result.stdout, stderr: cli.stderr + result.stderr }
      : result;
  }
  if (!cli) throw new Error("the attack did not run");
  const store = openStoreReadOnly(projectPaths(arenaInfo.project).database);
  if (!store) throw new Error("no store after the attack");
  try {
    const run = (await listRuns(store.db, { itemId: item.id })).at(-1);
    const events = run ? await listEvents(store.db, { runId: run.id }) : [];
    const workspaceFile = (path: string) => {
      const full = run ? join(run.workspace, path) : "";
      return run && existsSync(full) ? readFileSync(full, "utf8") : undefined;
    };
    return { cli, run, events, workspaceFile };
  } finally {
    await store.close();
  }
}

/** Runs a gaffer command in the attacked project after the attack, as the operator would. */
export function inspect(a: Arena, args: string[]): Promise<CliResult> {
  return gaffer(args, { cwd: a.project, env: { HOME: a.home, XDG_CACHE_HOME: a.cache } });
}

/**
 * A fingerprint of everything outside gaffer's own state that an attack must not change: the
 * project's files and git metadata (minus the branches and snapshot refs gaffer itself writes),
 * the canary directory, the fake home and the bare repository.
 */
export function outsideState(a: Arena): string {
  const hash = createHash("sha256");
  const walk = (root: string, dir: string, skip: (path: string) => boolean) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = relative(root, full);
      if (skip(path)) continue;
      hash.update(`${root}:${path}\n`);
      if (statSync(full).isDirectory()) walk(root, full, skip);
      else hash.update(readFileSync(full));
    }
  };
  const gafferOwned = (path: string) =>
    path === ".gaffer" ||
    path.startsWith(".git/refs/heads/gaffer") ||
    path.startsWith(".git/refs/gaffer") ||
    path.startsWith(".git/objects") ||
    path.startsWith(".git/logs") ||
    path === ".git/packed-refs" ||
    path === ".git/FETCH_HEAD";
  walk(a.project, a.project, gafferOwned);
  hash.update(
    execFileSync("git", [
      "-C",
      a.project,
      "for-each-ref",
      "--format=%(refname) %(objectname)",
      "refs/heads/main",
      "refs/tags",
    ]),
  );
  for (const dir of [a.canary, a.home, a.bare]) walk(dir, dir, () => false);
  return hash.digest("hex");
}

export function processesMatching(marker: string): string[] {
  try {
    return execFileSync("pgrep", ["-af", marker], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}
