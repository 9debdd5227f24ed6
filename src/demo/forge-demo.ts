import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openProject, type RunObserver, type RunResult, secretRedactor, startRun } from "../engine/index.ts";
import { openTracker, syncTracker } from "../intake/index.ts";
import { watchedPullOf } from "../store/index.ts";
import { printable } from "../util/index.ts";
import { openVault, publishByItself } from "../vault/index.ts";
import { startFakeForge } from "./forge/index.ts";
import { createSampleRepository } from "./repository.ts";
import { SAMPLE_ITEMS } from "./sample.ts";

/** The variable the demo's gaffer reads its forge token from; set in this process only. */
const TOKEN_ENV = "GAFFER_DEMO_FORGE_TOKEN";

export interface ForgeDemoResult {
  /** The demo's directory: the project in `project/`, the forge's bare repositories in `forge/`. */
  dir: string;
  project: string;
  issue: { number: number; title: string; assignees: string[]; labels: string[] };
  itemId: number;
  result: RunResult;
  /** The draft pull request as the forge holds it, read before the forge shut down. */
  pull: { number: number; url: string; draft: boolean; head: string; body: string } | undefined;
}

/**
 * The forge loop on this machine, with nothing to configure: a fake GitHub on 127.0.0.1 (an
 * ephemeral port, real git over `git http-backend`) holding the sample project as acme/calc, an
 * issue labelled `backlog`, and gaffer pointed at it: the issue is synced in, claimed, run with
 * the scripted agent, and published as a draft pull request with its evidence. `say` hears each
 * step in words; the forge is shut down before this returns.
 */
export async function runForgeDemo(options: {
  dir?: string;
  scriptedAgentCommand: string[];
  say: (line: string) => void;
  /** Watches the run; asked for as the run starts. */
  observer?: () => RunObserver;
  signal?: AbortSignal;
}): Promise<ForgeDemoResult> {
  const { say } = options;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "gaffer-demo-forge-"));
  const forge = await startFakeForge("github", join(dir, "forge"));
  const previousToken = process.env[TOKEN_ENV];
  try {
    const repo = forge.createRepo("acme/calc");
    forge.addCollaborator(repo, "gaffer-bot", "write");
    const token = forge.addToken("gaffer-bot", { kind: "classic", scopes: ["repo"] });
    say(`a fake GitHub is listening on ${forge.url} (this machine only), with the repository acme/calc`);

    const project = join(dir, "project");
    await createSampleRepository(project, {
      config: `\n[tracker]\nkind = "github"\nurl = "${forge.url}"\nrepo = "acme/calc"\ntoken_env = "${TOKEN_ENV}"\n`,
    });
    await forge.push(project, repo, token, "HEAD:refs/heads/main");
    say(
      `the sample calculator project is pushed to acme/calc as main; gaffer.toml names the forge in [tracker]`,
    );

    const sample = SAMPLE_ITEMS[0];
    if (!sample) throw new Error("the sample project has no items");
    const issue = forge.createIssue(repo, { title: sample.title, body: sample.body, labels: ["backlog"] });
    say(
      `someone files issue #${issue.number} "${printable(issue.title)}" on the forge and labels it backlog`,
    );

    process.env[TOKEN_ENV] = token;
    const opened = await openProject(project);
    try {
      const config = opened.config.tracker;
      if (!config) throw new Error("the demo project has no [tracker]");
      const tracker = openTracker(config);
      const synced = await syncTracker(opened.store.db, tracker, config.labels, {
        redact: await secretRedactor(opened),
      });
      const itemId = synced.created[0];
      if (itemId === undefined) throw new Error(`issue #${issue.number} did not become an item`);
      say(`gaffer tracker sync: issue #${issue.number} is ready, so it becomes item #${itemId}`);

      say(
        `gaffer run ${itemId}: gaffer claims the issue on the forge, then the scripted agent works in a sandboxed clone`,
      );
      const result = await startRun(opened, itemId, {
        scriptedAgentCommand: options.scriptedAgentCommand,
        ...(options.observer && { observer: options.observer() }),
        ...(options.signal && { signal: options.signal }),
      });
      const claim = {
        number: issue.number,
        title: issue.title,
        assignees: issue.assignees.map((u) => u.login),
        labels: issue.labels.map((l) => l.name),
      };
      say(
        `claimed: issue #${issue.number} is assigned to ${claim.assignees.join(", ") || "nobody"} and labelled ${claim.labels.join(", ") || "nothing"}`,
      );
      if (result.outcome !== "proposed") {
        say(`run ${result.run.id} ended ${result.outcome}: nothing to publish`);
        return { dir, project, issue: claim, itemId, result, pull: undefined };
      }
      say(`run ${result.run.id} proposed branch ${result.proposal?.branch ?? "?"}, tested by the gate`);

      say(
        `gaffer publish ${result.run.id}: the vault pushes the branch with gaffer's own token and opens a draft pull request`,
      );
      const asked = await publishByItself({ ...openVault(opened), tracker }, result.run.id, "the demo");
      if (!asked.requested) throw new Error(`the publish was not asked: ${asked.reason}`);
      const watched = await watchedPullOf(opened.store.db, result.run.id);
      const onForge = watched && repo.issues.get(watched.number);
      const pull =
        watched && onForge?.pull
          ? {
              number: watched.number,
              url: watched.url,
              draft: onForge.pull.draft,
              head: onForge.pull.head,
              body: onForge.body ?? "",
            }
          : undefined;
      if (!pull) {
        say(`the vault's publish ended ${asked.action.state}: ${printable(asked.action.result?.logs ?? "")}`);
        return { dir, project, issue: claim, itemId, result, pull };
      }
      say(
        `${pull.draft ? "draft " : ""}pull request #${pull.number} is open: ${pull.url} (from ${printable(pull.head)}); its description is the evidence:`,
      );
      for (const line of pull.body.split("\n")) say(`  ${printable(line)}`);
      if (issue.comments.length > 0) say(`issue #${issue.number} got one comment naming the pull request`);
      return { dir, project, issue: claim, itemId, result, pull };
    } finally {
      await opened.close();
    }
  } finally {
    if (previousToken === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = previousToken;
    await forge.close();
    say("the fake forge is shut down");
  }
}
