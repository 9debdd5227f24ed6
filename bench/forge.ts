import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/config/index.ts";
import { SAMPLE_FILES } from "../src/demo/sample.ts";
import { type Project, projectPaths } from "../src/engine/index.ts";
import { PullWatcher } from "../src/factory/pull-watch.ts";
import { openTracker } from "../src/intake/index.ts";
import {
  addItem,
  createRun,
  listEvents,
  openStore,
  openStoreReadOnly,
  watchPull,
} from "../src/store/index.ts";
import { startFakeForge } from "../src/demo/forge/index.ts";

const GAFFER = fileURLToPath(new URL("../bin/gaffer.js", import.meta.url));

/**
 * What watching 100 open pull requests costs per hour of polling (GitHub, ETag-conditional): the
 * requests of the first look, of a look when nothing changed, and of a look when one in ten
 * changed (a review on it, a new head whose checks are read).
 */
export async function measurePollingCost(pulls: number): Promise<{
  pulls: number;
  firstLook: number;
  unchangedLook: number;
  tenthChangedLook: number;
  perHour: { poll5m: number; poll1m: number; poll5mTenthChanged: number };
}> {
  const dir = mkdtempSync(join(tmpdir(), "gaffer-bench-forge-"));
  const forge = await startFakeForge("github", dir);
  try {
    const repo = forge.createRepo("acme/app");
    const token = forge.addToken("acme", { kind: "classic", scopes: ["repo"] });
    const work = join(dir, "work");
    execFileSync("git", ["init", "-q", "-b", "main", work]);
    writeFileSync(join(work, "README.md"), "hi\n");
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", work, ...args], {
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "b",
          GIT_AUTHOR_EMAIL: "b@b",
          GIT_COMMITTER_NAME: "b",
          GIT_COMMITTER_EMAIL: "b@b",
        },
      }).trim();
    git("add", "-A");
    git("commit", "-qm", "init");
    const sha = git("rev-parse", "HEAD");
    await forge.push(work, repo, token, "main");
    const store = await openStore(join(dir, "gaffer.db"));
    const config = parseConfig(
      `[tracker]\nkind = "github"\nurl = "${forge.url}"\nrepo = "acme/app"\n`,
      join(dir, "gaffer.toml"),
      dir,
    );
    const tracker = openTracker(config.tracker as never, { GITHUB_TOKEN: token });
    const project: Project = {
      root: dir,
      paths: projectPaths(dir),
      config,
      store,
      owner: "bench",
      close: () => store.close(),
    };
    for (let n = 0; n < pulls; n++) {
      execFileSync("git", ["-C", repo.gitDir, "update-ref", `refs/heads/pr-${n}`, sha]);
      const issue = forge.model.createIssue(
        repo,
        repo.owner,
        { title: `pull ${n}` },
        {
          head: `pr-${n}`,
          base: "main",
          headSha: sha,
          baseSha: sha,
          draft: true,
          merged: false,
          mergedAt: null,
          reviews: [],
          comments: [],
        },
      );
      const item = await addItem(store.db, { title: `item ${n}`, body: "" });
      const run = await createRun(store.db, {
        itemId: item.id,
        agent: "scripted",
        branch: `pr-${n}`,
        baseBranch: "main",
        baseCommit: sha,
        workspace: "",
        maxFixAttempts: 1,
        owner: "bench",
        sandbox: "none",
      });
      await watchPull(store.db, {
        runId: run.id,
        itemId: item.id,
        tracker: tracker.key,
        number: issue.number,
        url: "",
        base: "main",
        head: sha,
      });
    }
    forge.ci(repo, sha, { name: "ci/test", state: "success" });
    // Pull requests opened a while ago, as a poll finds them: gaffer reads a pull request changed
    // in the second it looks once more, which a bench that looks at once would count every time.
    const earlier = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    for (const issue of repo.issues.values()) issue.updatedAt = earlier;
    const watcher = new PullWatcher(project, tracker);
    const look = async () => {
      const before = forge.requests.length;
      await watcher.pass();
      return forge.requests.length - before;
    };
    const firstLook = await look();
    const unchangedLook = await look();
    const reviewer = forge.model.user("reviewer");
    for (const issue of [...repo.issues.values()].slice(0, pulls / 10))
      forge.model.comment(repo, issue, reviewer, "a comment");
    const tenthChangedLook = await look();
    await store.close();
    return {
      pulls,
      firstLook,
      unchangedLook,
      tenthChangedLook,
      perHour: {
        poll5m: 12 * unchangedLook,
        poll1m: 60 * unchangedLook,
        poll5mTenthChanged: 12 * tenthChangedLook,
      },
    };
  } finally {
    await forge.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * From a webhook delivery (a failed check on a published run's pull request) to the agent's next
 * turn starting, under `gaffer up` with the scripted agent: the delivery, the look at the pull
 * request, the run re-opened, the builder dispatched and started, its workspace checked.
 */
export async function measureDeliveryToTurn(samples: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), "gaffer-bench-forge-"));
  const forge = await startFakeForge("github", join(dir, "forge"));
  const cwd = join(dir, "project");
  try {
    const repo = forge.createRepo("acme/calc");
    forge.addCollaborator(repo, "gaffer-bot", "write");
    const token = forge.addToken("gaffer-bot", { kind: "classic", scopes: ["repo"] });
    const attempts = Array.from(
      { length: samples + 1 },
      (_, n) => `[[attempts]]\nsteps = [{ write = "notes/${n}.md", content = "${n}\\n" }]`,
    ).join("\n");
    forge.createIssue(repo, {
      title: "Notes",
      body: `Notes.\n\n\`\`\`scenario\n${attempts}\n\`\`\`\n`,
      labels: ["backlog"],
    });
    execFileSync("git", ["init", "-q", "-b", "main", cwd]);
    for (const [path, content] of Object.entries({
      ...SAMPLE_FILES,
      "gaffer.toml": `[[gate.commands]]\nname = "test"\nrun = "node --test"\n[factory]\nheartbeat = "500ms"\n[roles.builder]\npolicy = "heal"\n[tracker]\nkind = "github"\nurl = "${forge.url}"\nrepo = "acme/calc"\npublish = "on-proposal"\npoll = "1h"\n[tracker.webhook]\nlisten = "127.0.0.1:0"\n[reactions.ci-failed]\nretries = ${samples + 1}\n`,
    })) {
      execFileSync("mkdir", ["-p", join(cwd, path, "..")]);
      writeFileSync(join(cwd, path), content);
    }
    const env = {
      ...process.env,
      GITHUB_TOKEN: token,
      GAFFER_WEBHOOK_SECRET: "bench-secret",
      GIT_AUTHOR_NAME: "b",
      GIT_AUTHOR_EMAIL: "b@b",
      GIT_COMMITTER_NAME: "b",
      GIT_COMMITTER_EMAIL: "b@b",
    };
    execFileSync("git", ["-C", cwd, "add", "-A"], { env });
    execFileSync("git", ["-C", cwd, "commit", "-qm", "init"], { env });
    await forge.push(cwd, repo, token, "main");
    const up = spawnSync(process.execPath, [GAFFER, "up"], { cwd, env, encoding: "utf8" });
    if (up.status !== 0) throw new Error(`gaffer up: ${up.stderr}`);
    const events = async (type: string) => {
      const store = openStoreReadOnly(join(cwd, ".gaffer", "gaffer.db"));
      if (!store) return [];
      try {
        return (await listEvents(store.db, {})).filter((e) => e.type === type);
      } finally {
        await store.close();
      }
    };
    const until = async (what: () => Promise<boolean> | boolean) => {
      for (const deadline = Date.now() + 180_000; !(await what()); await sleep(20))
        if (Date.now() > deadline) throw new Error("the factory did not get there in time");
    };
    await until(async () => (await events("tracker.listening")).length > 0);
    forge.addHook(
      repo,
      ((await events("tracker.listening"))[0]?.data as { url: string }).url,
      "bench-secret",
    );
    const pull = () => [...repo.issues.values()].find((i) => i.pull);
    const latencies: number[] = [];
    for (let n = 1; n <= samples; n++) {
      await until(async () => (await events("publish.pull-opened")).length >= n);
      const head = execFileSync("git", ["-C", repo.gitDir, "rev-parse", `refs/heads/${pull()?.pull?.head}`], {
        encoding: "utf8",
      }).trim();
      const delivered = Date.now();
      forge.ci(repo, head, { name: "ci/test", state: "failure", summary: "failed" });
      await until(async () =>
        (await events("attempt.started")).some((e) => (e.data as { attempt: number }).attempt === n + 1),
      );
      const started = (await events("attempt.started")).find(
        (e) => (e.data as { attempt: number }).attempt === n + 1,
      );
      latencies.push((started?.at ?? Date.now()) - delivered);
    }
    spawnSync(process.execPath, [GAFFER, "down"], { cwd, env });
    return latencies;
  } finally {
    spawnSync(process.execPath, [GAFFER, "down"], { cwd, env: process.env });
    await forge.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
