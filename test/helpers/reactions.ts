import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { openProject, type Project, resumeRun, startRun } from "../../src/engine/index.ts";
import { PullWatcher } from "../../src/factory/pull-watch.ts";
import { type ClientTuning, openTracker, syncTracker, type Tracker } from "../../src/intake/index.ts";
import {
  addItem,
  getRun,
  listAttempts,
  type Run,
  watchedPullOf,
  type WatchedPull,
} from "../../src/store/index.ts";
import { IN_PROCESS, inProcessConfig } from "./engine.ts";
import {
  type FakeForge,
  type ForgeKind,
  type Issue,
  type Repo,
  startFakeForge,
} from "../../src/demo/forge/index.ts";
import { git, gitOut, writeFiles } from "./git.ts";
import { sampleProject, scenarioItem } from "./project.ts";
import { tempDir } from "./tmp.ts";

/** The token variable and grant each kind's reaction tests use. */
const KIND = {
  github: { env: "GITHUB_TOKEN", toml: "github", grant: { kind: "classic", scopes: ["repo"] } },
  gitea: {
    env: "GITEA_TOKEN",
    toml: "gitea",
    grant: { kind: "gitea", scopes: ["write:issue", "read:repository", "write:repository", "read:user"] },
  },
} as const;

export interface ReactionSetup {
  forge: FakeForge;
  repo: Repo;
  project: Project;
  tracker: Tracker;
  watcher: PullWatcher;
  /** Files an item whose body is this scripted-agent scenario; returns its id. */
  item(title: string, scenario: string): Promise<number>;
  run(itemId: number): Promise<Run>;
  resume(itemId: number): Promise<Run>;
  pull(runId: number): Promise<WatchedPull>;
  /** The pull request on the fake forge. */
  forgePull(number: number): Issue;
  /** The brief of a run's attempt, as the agent got it. */
  brief(runId: number, attempt: number): string;
  attempts(runId: number): Promise<string[]>;
  /** Someone pushes a commit with these files onto the forge's main; returns the new tip. */
  moveBase(files: Record<string, string>): Promise<string>;
  /** A forge issue carrying this scenario, labelled ready and synced in; returns its item id. */
  issueItem(title: string, scenario: string): Promise<{ itemId: number; issue: Issue }>;
}

/**
 * The demo's sample project driven in-process, published on a fake forge of `kind` (acme/calc,
 * pushed there as main), with `[tracker] publish = "on-proposal"` and the given `[reactions]`.
 */
export async function reactionSetup(t: TestContext, kind: ForgeKind, reactions = ""): Promise<ReactionSetup> {
  const setup = KIND[kind];
  const forge = await startFakeForge(kind, tempDir(t));
  t.after(() => forge.close());
  const repo = forge.createRepo("acme/calc");
  forge.addCollaborator(repo, "gaffer-bot", "write");
  forge.addCollaborator(repo, "reviewer", "write");
  const token = forge.addToken("gaffer-bot", setup.grant as never);
  const config = inProcessConfig(
    `[tracker]\nkind = "${setup.toml}"\nurl = "${forge.url}"\nrepo = "acme/calc"\ntoken_env = "${setup.env}"\npublish = "on-proposal"\n${reactions}`,
  );
  const dir = await sampleProject(t, config);
  git(dir, "add", "gaffer.toml");
  git(dir, "commit", "-q", "-m", "gaffer.toml");
  await forge.push(dir, repo, token, "HEAD:refs/heads/main");
  process.env[setup.env] = token;
  t.after(() => delete process.env[setup.env]);
  const project = await openProject(dir);
  t.after(() => project.close());
  const tuning: ClientTuning = { retries: 2, retryBaseMs: 5, maxThrottleWaitMs: 5000, onThrottle: () => {} };
  const tracker = openTracker(project.config.tracker as never, { [setup.env]: token }, tuning);
  const db = project.store.db;
  const upstream = tempDir(t);
  git(upstream, "clone", "--quiet", dir, ".");
  return {
    forge,
    repo,
    project,
    tracker,
    watcher: new PullWatcher(project, tracker),
    item: async (title, scenario) => (await addItem(db, scenarioItem(title, scenario))).id,
    run: async (itemId) => (await startRun(project, itemId, IN_PROCESS)).run,
    resume: async (itemId) => (await resumeRun(project, itemId, IN_PROCESS)).run,
    async pull(runId) {
      const pull = await watchedPullOf(db, runId);
      if (!pull) throw new Error(`run ${runId} has no pull request`);
      return pull;
    },
    forgePull(number) {
      const issue = repo.issues.get(number);
      if (!issue?.pull) throw new Error(`no pull request #${number}`);
      return issue;
    },
    brief: (runId, attempt) =>
      readFileSync(join(project.paths.runDir(runId), `attempt-${attempt}-brief.md`), "utf8"),
    attempts: async (runId) => (await listAttempts(db, runId)).map((a) => `${a.number}:${a.state}`),
    async moveBase(files) {
      writeFiles(upstream, files);
      git(upstream, "add", "-A");
      git(upstream, "commit", "-q", "-m", "someone else's change");
      await forge.push(upstream, repo, token, "HEAD:refs/heads/main");
      return gitOut(upstream, "rev-parse", "HEAD");
    },
    async issueItem(title, scenario) {
      const body = scenarioItem(title, scenario).body;
      const issue = forge.createIssue(repo, { title, body, labels: ["backlog"] });
      const report = await syncTracker(db, tracker, project.config.tracker?.labels as never);
      const itemId = report.created.at(-1);
      if (itemId === undefined) throw new Error("the issue did not become an item");
      return { itemId, issue };
    },
  };
}

export { getRun };
