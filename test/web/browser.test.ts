import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { describe, it, type TestContext } from "node:test";
import type { Page } from "playwright-core";
import { createSampleRepository } from "../../src/demo/index.ts";
import { projectPaths } from "../../src/engine/index.ts";
import { latestEventId, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { browserSkip, launchChromium } from "../helpers/browser.ts";
import { gaffer, startGaffer } from "../helpers/cli.ts";
import { commitAll, gitOut } from "../helpers/git.ts";
import { waitFor, waitForEvent } from "../helpers/wait.ts";

/** Where the run's screenshots go: one per page, kept after the run (docs/ takes a few). */
const SHOTS = resolve(import.meta.dirname, "..", "..", "test-output", "dashboard");

const CONFIG = `[sandbox]
mode = "preferred"

[[gate.commands]]
name = "test"
run = "node --test"

[vault]
approvers = ["ops"]

[factory]
heartbeat = "500ms"

[roles.builder]
concurrency = 1
`;

const scenario = (title: string, steps: string) =>
  `${title}\n\n\`\`\`scenario\n[[attempts]]\nsteps = [${steps}]\n\`\`\`\n`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

async function storeLatest(dir: string): Promise<number> {
  const store = openStoreReadOnly(projectPaths(dir).database);
  assert.ok(store);
  try {
    return await latestEventId(store.db);
  } finally {
    await store.close();
  }
}

async function storeRunState(dir: string, runId: number): Promise<string | undefined> {
  const store = openStoreReadOnly(projectPaths(dir).database);
  assert.ok(store);
  try {
    return (await listRuns(store.db)).find((run) => run.id === runId)?.state;
  } finally {
    await store.close();
  }
}

/** `gaffer serve` on `port`, once it answers. */
async function serve(t: TestContext, dir: string, port: number): Promise<ChildProcess> {
  const child = startGaffer(["serve", "--port", String(port)], { cwd: dir });
  t.after(() => child.kill("SIGKILL"));
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${port}/api/status`).then(
        (r) => r.ok,
        () => false,
      ),
    `gaffer serve on port ${port}`,
  );
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

function lane(page: Page, name: string, item: number) {
  return page.locator(`section.lane[aria-label="${name}"] [data-item="${item}"]`);
}

describe("the dashboard in a browser", { skip: browserSkip() }, () => {
  it("shows a CLI run live, cancels a run, approves a vault action, resumes the feed after a restart, and serves from gaffer up", async (t) => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "gaffer-dashboard-")));
    // Hooks run in order: the factory (if the test got that far) goes down before its project goes.
    t.after(async () => {
      await gaffer(["down"], { cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    });
    await createSampleRepository(dir);
    writeFileSync(join(dir, "gaffer.toml"), CONFIG);
    writeFileSync(join(dir, "policy.toml"), `[tiers]\nmerge = "high"\n`);
    // The fleet page reads the fleet file beside gaffer.toml: this project and one gone missing.
    writeFileSync(
      join(dir, "fleet.toml"),
      `[projects.sample]\npath = "."\n\n[projects.elsewhere]\npath = "missing"\nenabled = false\n`,
    );
    commitAll(dir, "gaffer's configuration");
    const token = JSON.parse(
      (await gaffer(["token", "create", "--name", "ops", "--json"], { cwd: dir })).stdout,
    ).token as string;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    let server = await serve(t, dir, port);

    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));

    // Every page loads without an error.
    for (const [hash, name] of [
      ["#/", "overview"],
      ["#/board", "board"],
      ["#/vault", "vault"],
      ["#/fleet", "fleet"],
    ] as const) {
      await page.goto(`${url}${hash}`);
      await page.locator(`body[data-page="${name}"]`).waitFor();
      await page.locator("#live[data-state=live]").waitFor();
    }
    assert.deepEqual(errors, []);

    // A run started from the CLI appears on the board and advances, live.
    await page.goto(`${url}#/board`);
    await page.locator("#live[data-state=live]").waitFor();
    const added = await gaffer(
      [
        "issue",
        "add",
        "write the notes",
        "--body",
        scenario("write the notes", `{ say = "writing" }, { write = "notes.md", content = "notes\\n" }`),
      ],
      { cwd: dir },
    );
    assert.equal(added.code, 0, added.stderr);
    await lane(page, "backlog", 1).waitFor();
    const run = gaffer(["run", "1"], { cwd: dir });
    await lane(page, "proposed", 1).waitFor({ timeout: 120_000 });
    assert.equal((await run).code, 0);
    await page.screenshot({ path: join(SHOTS, "board.png"), fullPage: true });
    await page.locator('[data-item="1"] a').click();
    await page.locator('body[data-page="run"]').waitFor();
    await page.locator(".timeline code", { hasText: "run.proposed" }).waitFor();
    await page.locator(".transcript", { hasText: "writing" }).waitFor();
    // The proposal's diff, highlighted line by line.
    await page.locator(".diff-add", { hasText: "+notes" }).waitFor();
    await page.locator(".diff-file", { hasText: "+++ b/notes.md" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "run.png"), fullPage: true });

    // The token goes in once; a run is cancelled from its page.
    await page.fill("#token", token);
    await page.locator("#token").dispatchEvent("change");
    await gaffer(
      [
        "issue",
        "add",
        "wait a long time",
        "--body",
        scenario("wait", `{ say = "waiting" }, { sleep = 600000 }`),
      ],
      {
        cwd: dir,
      },
    );
    const slow = startGaffer(["run", "2"], { cwd: dir });
    t.after(() => slow.kill("SIGKILL"));
    const slowExit = once(slow, "exit");
    await waitForEvent(dir, "agent.message", (data) => String(data.text).includes("waiting"));
    await page.goto(`${url}#/runs/2`);
    await page.locator(".transcript", { hasText: "waiting" }).waitFor();
    await page.getByRole("button", { name: "Cancel this run" }).click({ timeout: 120_000 });
    await page.locator(".facts .badge", { hasText: "cancelled" }).waitFor();
    assert.deepEqual(await slowExit, [130, null]);

    // A vault action approved from the page executes.
    const before = gitOut(dir, "rev-parse", "main");
    const merge = await gaffer(["merge", "1"], { cwd: dir });
    assert.match(merge.stdout, /merge-run-1 \(high\) is blocked until an approver approves it/, merge.stderr);
    await page.goto(`${url}#/vault`);
    await page.screenshot({ path: join(SHOTS, "vault.png"), fullPage: true });
    await page.getByRole("button", { name: "Approve merge-run-1" }).click();
    await page.locator(".notice.ok", { hasText: "approved merge-run-1" }).waitFor();
    await page.locator(".badge.vault-fired").waitFor();
    assert.notEqual(gitOut(dir, "rev-parse", "main"), before, "the merge was carried out");
    assert.deepEqual(errors, []);

    // A run that gave up shows its failure report; its item is re-queued from the page for a fresh run.
    await gaffer(["issue", "add", "say nothing", "--body", scenario("say nothing", `{ say = "nothing" }`)], {
      cwd: dir,
    });
    assert.equal((await gaffer(["run", "3"], { cwd: dir })).code, 2);
    await page.goto(`${url}#/runs/3`);
    await page.locator("pre.report", { hasText: "# Failure report: run 3, item #3" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "run-gave-up.png"), fullPage: true });
    await page.getByRole("button", { name: "Re-queue item #3" }).click();
    await page.locator(".notice.ok", { hasText: "item #3 re-queued" }).waitFor();
    await waitFor(async () => (await storeRunState(dir, 4)) === "gave-up", "the re-queued item's run");
    assert.equal((await gaffer(["issue", "close", "3"], { cwd: dir })).code, 0);

    // The fleet: every project of the fleet file on one page.
    await page.goto(`${url}#/fleet`);
    await page.locator('[data-project="sample"]').waitFor();
    await page.locator('[data-project="elsewhere"]', { hasText: "disabled" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "fleet.png"), fullPage: true });
    assert.deepEqual(errors, []);

    // A 10,000-line diff: only the rows in view are in the page, and the keyboard reaches its end.
    const lines = Array.from({ length: 10_000 }, (_, n) => `line ${n + 1}`).join("\\n");
    await gaffer(
      [
        "issue",
        "add",
        "a long file",
        "--body",
        scenario("a long file", `{ write = "long.txt", content = "${lines}\\n" }`),
      ],
      { cwd: dir },
    );
    assert.equal((await gaffer(["run", "4"], { cwd: dir })).code, 0);
    await page.goto(`${url}#/runs/5`);
    await page.locator("h2", { hasText: "Diff (10006 lines)" }).waitFor();
    const drawnRows = await page.locator(".diff-line").count();
    assert.ok(drawnRows > 0 && drawnRows < 200, `${drawnRows} diff rows in the page`);
    await page.locator('[aria-label="the diff"]').focus();
    await page.keyboard.press("End");
    await page.locator(".diff-add", { hasText: "+line 10000" }).waitFor();
    assert.ok((await page.locator(".diff-line").count()) < 200);
    await page.screenshot({ path: join(SHOTS, "run-long-diff.png") });
    assert.equal((await gaffer(["issue", "close", "4"], { cwd: dir })).code, 0);

    // The server restarts; what happened meanwhile still reaches the page, nothing missed.
    await page.goto(`${url}#/`);
    await page.locator("#live[data-state=live]").waitFor();
    const from = Number(await page.locator("body").getAttribute("data-feed-from"));
    await stop(server);
    await page.locator("#live[data-state=down]").waitFor();
    for (const command of ["pause", "resume", "pause"])
      assert.equal((await gaffer([command], { cwd: dir })).code, 0);
    server = await serve(t, dir, port);
    const last = await storeLatest(dir);
    await page.locator(`body[data-last-event-id="${last}"]`).waitFor();
    assert.equal(Number(await page.locator("body").getAttribute("data-events-seen")), last - from);
    await page.locator("#paused-state", { hasText: "paused" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "overview.png"), fullPage: true });
    await stop(server);

    // `gaffer up --dashboard` serves the same pages from the supervisor; resume from the page.
    await gaffer(["issue", "close", "2"], { cwd: dir });
    const up = await gaffer(["up", "--dashboard", "--port", String(port)], { cwd: dir });
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`dashboard: http://127.0.0.1:${port}/`));
    await page.goto(`${url}#/`);
    await page.locator(".facts", { hasText: "supervisor: up" }).waitFor();
    await page.getByRole("button", { name: "Resume the factory" }).click();
    await page.locator("#paused-state", { hasText: "dispatching" }).waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: join(SHOTS, "overview-phone.png"), fullPage: true });
    await page.goto(`${url}#/runs/1`);
    await page.locator(".diff-add", { hasText: "+notes" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "run-phone.png"), fullPage: true });
    assert.equal((await gaffer(["down"], { cwd: dir })).code, 0);
    const unexpected = errors.filter((text) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(text));
    assert.deepEqual(unexpected, []);
  });
});
