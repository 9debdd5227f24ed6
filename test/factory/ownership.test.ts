import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { ownerToken } from "../../src/engine/owner.ts";
import { isGafferError } from "../../src/errors.ts";
import {
  daemonFile,
  type DaemonRecord,
  namespaceFile,
  runningDaemon,
  takeOwnership,
} from "../../src/factory/ownership.ts";
import { tempDir } from "../helpers/tmp.ts";

const OWNERSHIP = new URL("../../src/factory/ownership.ts", import.meta.url).href;

interface Setup {
  env: NodeJS.ProcessEnv;
  project(name: string): { root: string; stateDir: string };
}

/** Project dirs and a private XDG_STATE_HOME, so namespaces never touch the user's own. */
function setup(t: TestContext): Setup {
  const base = tempDir(t);
  const env = { XDG_STATE_HOME: join(base, "xdg-state") };
  return {
    env,
    project(name) {
      const root = join(base, name);
      mkdirSync(root, { recursive: true });
      return { root, stateDir: join(root, ".gaffer") };
    },
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as DaemonRecord;

/** Another process that takes ownership of a project, holds it until killed, and says when it has it. */
async function otherSupervisor(
  t: TestContext,
  project: { root: string; stateDir: string },
  namespace: string,
  env: NodeJS.ProcessEnv,
): Promise<ChildProcess> {
  const script = [
    `const { takeOwnership } = await import(${JSON.stringify(OWNERSHIP)});`,
    `takeOwnership(${JSON.stringify(project.root)}, ${JSON.stringify(project.stateDir)}, ${JSON.stringify(namespace)}, process.env);`,
    `console.log("owned");`,
    `setInterval(() => {}, 1000);`,
  ].join("\n");
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  assert.equal(chunk.toString().trim(), "owned");
  return child;
}

/** The owner token of a process that has since exited (its pid is free, its start time is real). */
async function deadOwnerToken(): Promise<{ pid: number; owner: string }> {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  await once(child, "spawn");
  const pid = child.pid as number;
  const owner = ownerToken(pid);
  child.kill("SIGKILL");
  await once(child, "exit");
  return { pid, owner };
}

function daemonRefusal(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isGafferError(error));
    assert.equal(error.code, "daemon-running");
    assert.match(error.message, pattern);
    return true;
  };
}

describe("factory/ownership", () => {
  it("records this process as the project's supervisor and its namespace's owner, until released", (t) => {
    const { env, project } = setup(t);
    const { root, stateDir } = project("shop");
    const release = takeOwnership(root, stateDir, "shop-", env);
    const record = read(daemonFile(stateDir));
    assert.equal(record.pid, process.pid);
    assert.equal(record.owner, ownerToken());
    assert.equal(record.root, root);
    assert.equal(record.namespace, "shop-");
    const shared = namespaceFile("shop-", env);
    assert.ok(shared.startsWith(join(env.XDG_STATE_HOME as string, "gaffer", "namespaces")), shared);
    assert.deepEqual(read(shared), record);
    assert.deepEqual(runningDaemon(stateDir), record);

    release();
    assert.equal(existsSync(daemonFile(stateDir)), false);
    assert.equal(existsSync(shared), false);
    assert.equal(runningDaemon(stateDir), undefined);
  });

  it("refuses a second supervisor of the project, naming the one that runs", async (t) => {
    const { env, project } = setup(t);
    const shop = project("shop");
    const other = await otherSupervisor(t, shop, "shop-", env);
    assert.throws(
      () => takeOwnership(shop.root, shop.stateDir, "shop-", env),
      daemonRefusal(
        new RegExp(`^gaffer is already up for ${escape(shop.root)} \\(pid ${other.pid}, since \\d{4}-`),
      ),
    );
    assert.equal(read(daemonFile(shop.stateDir)).pid, other.pid, "the running one's record is untouched");
    assert.equal(runningDaemon(shop.stateDir)?.pid, other.pid);

    // Once it is gone, its record is stale and the project can be taken over.
    other.kill("SIGKILL");
    await once(other, "exit");
    assert.equal(runningDaemon(shop.stateDir), undefined);
    const release = takeOwnership(shop.root, shop.stateDir, "shop-", env);
    t.after(release);
    assert.equal(read(daemonFile(shop.stateDir)).pid, process.pid);
    assert.equal(read(namespaceFile("shop-", env)).pid, process.pid);
  });

  it("takes over the records a dead supervisor left behind", async (t) => {
    const { env, project } = setup(t);
    const { root, stateDir } = project("shop");
    const dead = await deadOwnerToken();
    const stale: DaemonRecord = { pid: dead.pid, owner: dead.owner, root, namespace: "shop-", startedAt: 1 };
    for (const file of [daemonFile(stateDir), namespaceFile("shop-", env)]) {
      mkdirSync(join(file, ".."), { recursive: true });
      writeFileSync(file, JSON.stringify(stale));
    }
    assert.equal(runningDaemon(stateDir), undefined, "a dead owner is not running");
    const release = takeOwnership(root, stateDir, "shop-", env);
    assert.equal(read(daemonFile(stateDir)).owner, ownerToken());
    assert.equal(read(namespaceFile("shop-", env)).owner, ownerToken());
    release();
    assert.equal(existsSync(daemonFile(stateDir)), false);
  });

  it("takes over an unreadable record as well", (t) => {
    const { env, project } = setup(t);
    const { root, stateDir } = project("shop");
    mkdirSync(join(daemonFile(stateDir), ".."), { recursive: true });
    writeFileSync(daemonFile(stateDir), "{ half a rec");
    const release = takeOwnership(root, stateDir, "shop-", env);
    t.after(release);
    assert.equal(read(daemonFile(stateDir)).pid, process.pid);
  });

  it("refuses a namespace another project's supervisor owns, and leaves no half-taken project behind", async (t) => {
    const { env, project } = setup(t);
    const shop = project("shop");
    const blog = project("blog");
    const other = await otherSupervisor(t, shop, "shared-", env);
    assert.throws(
      () => takeOwnership(blog.root, blog.stateDir, "shared-", env),
      daemonRefusal(
        new RegExp(
          `^the session namespace "shared-" belongs to ${escape(shop.root)} \\(pid ${other.pid}\\)$`,
        ),
      ),
    );
    assert.equal(existsSync(daemonFile(blog.stateDir)), false, "blog's own record is rolled back");
    assert.equal(read(namespaceFile("shared-", env)).root, shop.root);
    // Under its own namespace the second project comes up beside the first.
    const release = takeOwnership(blog.root, blog.stateDir, "blog-", env);
    t.after(release);
    assert.equal(read(daemonFile(blog.stateDir)).namespace, "blog-");
    assert.equal(runningDaemon(shop.stateDir)?.pid, other.pid);
  });

  it("releases only what it still owns", (t) => {
    const { env, project } = setup(t);
    const { root, stateDir } = project("shop");
    const release = takeOwnership(root, stateDir, "shop-", env);
    // Someone else's record now sits in the namespace file (say, after a takeover).
    const theirs: DaemonRecord = {
      pid: 1,
      owner: "elsewhere:1:1",
      root: "/elsewhere",
      namespace: "shop-",
      startedAt: 1,
    };
    writeFileSync(namespaceFile("shop-", env), JSON.stringify(theirs));
    release();
    assert.equal(existsSync(daemonFile(stateDir)), false);
    assert.deepEqual(read(namespaceFile("shop-", env)), theirs);
  });

  it("registers namespaces under XDG_STATE_HOME, else ~/.local/state, with a safe file name", () => {
    assert.equal(
      namespaceFile("a/b c", { XDG_STATE_HOME: "/state" }),
      "/state/gaffer/namespaces/a%2Fb%20c.json",
    );
    assert.equal(namespaceFile("", { HOME: "/home/me" }), "/home/me/.local/state/gaffer/namespaces/-.json");
  });
});
