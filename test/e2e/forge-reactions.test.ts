import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SAMPLE_FILES } from "../../src/demo/sample.ts";
import { type GafferEvent, listEvents, listRuns, openStoreReadOnly } from "../../src/store/index.ts";
import { gaffer } from "../helpers/cli.ts";
import { type ForgeKind, type Issue, startFakeForge } from "../../src/demo/forge/index.ts";
import { git, gitOut, gitRepo, writeFiles } from "../helpers/git.ts";
import { tempDir } from "../helpers/tmp.ts";
import { waitFor } from "../helpers/wait.ts";

const SECRET = "a-webhook-secret-for-the-test";

const MULTIPLY = `{ edit = "src/calc.js", old = "export function divide", new = "export function multiply(a, b) {\\n  return a * b;\\n}\\n\\nexport function divide" }`;

/** src/calc.js with both the run's multiply and the moved base's power. */
const RESOLVED = (SAMPLE_FILES["src/calc.js"] ?? "").replace(
  "export function divide",
  "export function multiply(a, b) {\n  return a * b;\n}\n\nexport function power(a, b) {\n  return a ** b;\n}\n\nexport function divide",
);
const POWER = (SAMPLE_FILES["src/calc.js"] ?? "").replace(
  "export function divide",
  "export function power(a, b) {\n  return a ** b;\n}\n\nexport function divide",
);

/** The issue's script: the first proposal, the CI fix, the review's fix, the conflict resolved. */
const SCENARIO = `
[[attempts]]
steps = [${MULTIPLY}]
[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "- multiply()\\n" }]
[[attempts]]
steps = [{ write = "CHANGELOG.md", content = "- multiply(a, b): the product of a and b\\n" }]
[[attempts]]
steps = [{ write = "src/calc.js", content = ${JSON.stringify(RESOLVED)} }]
`;

const KINDS: Record<ForgeKind, { toml: string; env: string; grant: object }> = {
  github: { toml: "github", env: "GITHUB_TOKEN", grant: { kind: "classic", scopes: ["repo"] } },
  gitea: {
    toml: "forgejo",
    env: "FORGEJO_TOKEN",
    grant: { kind: "gitea", scopes: ["write:issue", "read:repository", "write:repository", "read:user"] },
  },
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

for (const kind of ["github", "gitea"] as const) {
  describe(`e2e: the forge's whole loop on ${kind}, under gaffer up`, () => {
    it("ready issue → claimed → run → draft PR with evidence → CI red → fixed in the same run → changes requested → fixed → conflicting base → rebased and re-gated → approved → merged through the vault → issue closed and done", async (t) => {
      const setup = KINDS[kind];
      const forge = await startFakeForge(kind, tempDir(t));
      t.after(() => forge.close());
      const repo = forge.createRepo("acme/calc");
      forge.addCollaborator(repo, "gaffer-bot", "write");
      forge.addCollaborator(repo, "reviewer", "write");
      const token = forge.addToken("gaffer-bot", setup.grant as never);
      const owner = forge.addToken(
        "acme",
        kind === "github" ? { kind: "classic", scopes: ["repo"] } : { kind: "gitea", scopes: ["all"] },
      );
      const issue = forge.createIssue(repo, {
        title: "Add a multiply function",
        body: `Add multiply(a, b).\n\n\`\`\`scenario\n${SCENARIO.trim()}\n\`\`\`\n`,
        labels: ["backlog"],
      });
      const config = `[gate]
max_fix_attempts = 1

[[gate.commands]]
name = "test"
run = "node --test"
timeout = "2m"

[factory]
heartbeat = "500ms"
lease = "5s"

[roles.builder]
policy = "heal"

[tracker]
kind = "${setup.toml}"
url = "${forge.url}"
repo = "acme/calc"
publish = "on-proposal"
poll = "1h"

[tracker.webhook]
listen = "127.0.0.1:0"

[reactions.approved-and-green]
action = "merge"
`;
      const cwd = gitRepo(t, { ...SAMPLE_FILES, "gaffer.toml": config });
      const env = { [setup.env]: token, GAFFER_WEBHOOK_SECRET: SECRET };
      await forge.push(cwd, repo, owner, "HEAD:refs/heads/main");
      const upstream = tempDir(t);
      git(upstream, "clone", "--quiet", cwd, ".");

      const up = await gaffer(["up"], { cwd, env });
      assert.equal(up.code, 0, up.stderr);
      try {
        const events = async (type?: string): Promise<GafferEvent[]> => {
          const store = openStoreReadOnly(join(cwd, ".gaffer", "gaffer.db"));
          if (!store) return [];
          try {
            return (await listEvents(store.db, {})).filter((e) => type === undefined || e.type === type);
          } finally {
            await store.close();
          }
        };
        const runStates = async () => {
          const store = openStoreReadOnly(join(cwd, ".gaffer", "gaffer.db"));
          if (!store) return [];
          try {
            return (await listRuns(store.db)).map((r) => r.state);
          } finally {
            await store.close();
          }
        };
        await waitFor(
          async () => (await events("tracker.listening")).length > 0,
          "the webhook receiver",
          30_000,
        );
        const [listening] = await events("tracker.listening");
        forge.addHook(repo, (listening?.data as { url: string }).url, SECRET);

        // Claimed, run, proposed, published as a draft with its evidence.
        const pulls = (): Issue[] => [...repo.issues.values()].filter((i) => i.pull);
        await waitFor(() => pulls().length === 1, "the draft pull request", 120_000);
        const pull = pulls()[0] as Issue;
        assert.equal(pull.pull?.draft, true);
        assert.match(pull.body ?? "", /\| test \| ` node --test ` \| 0 \|/);
        assert.deepEqual(
          issue.assignees.map((u) => u.login),
          ["gaffer-bot"],
        );
        assert.ok(issue.labels.some((l) => l.name === "in-progress"));
        const heads: string[] = [pull.pull?.headSha ?? ""];
        const headMoves = (what: string) =>
          waitFor(
            () => {
              const head = gitOut(repo.gitDir, "rev-parse", `refs/heads/${pull.pull?.head}`);
              if (head === heads.at(-1)) return false;
              heads.push(head);
              return true;
            },
            what,
            180_000,
          );

        // CI fails: its log goes to the same run, which fixes it and pushes to the same pull request.
        forge.ci(repo, heads[0] as string, {
          name: "ci/test",
          state: "failure",
          summary: "the changelog check failed",
          logs: "not ok 1 - CHANGELOG.md lists every change\n",
        });
        await headMoves("the CI fix to be pushed");
        forge.ci(repo, heads[1] as string, { name: "ci/test", state: "success" });

        // A review asks for changes: fixed, pushed, and the comment answered once.
        const reviewer = forge.model.user("reviewer");
        forge.model.review(repo, pull, reviewer, "Say what multiply does.", "CHANGES_REQUESTED", [
          { path: "CHANGELOG.md", line: 1, body: "describe it in a few words" },
        ]);
        await headMoves("the review's fix to be pushed");
        await waitFor(
          () => pull.comments.some((c) => c.body.startsWith("<!-- gaffer:answered:")),
          "the review's answer",
          60_000,
        );

        // The base moves with a conflicting change: gaffer rebases, the agent resolves, the gate runs again.
        writeFiles(upstream, { "src/calc.js": POWER });
        git(upstream, "commit", "-qam", "power()");
        await forge.push(upstream, repo, owner, "HEAD:refs/heads/main");
        const tip = gitOut(upstream, "rev-parse", "HEAD");
        forge.deliver(
          (listening?.data as { url: string }).url,
          "push",
          { ref: "refs/heads/main", after: tip },
          SECRET,
        );
        await headMoves("the rebased proposal to be pushed");
        const rebasedHead = heads.at(-1) as string;
        execFileSync("git", ["-C", repo.gitDir, "merge-base", "--is-ancestor", tip, rebasedHead]);
        assert.equal((await events("run.rebased")).length, 1);

        // Approved, green: merged through the vault; the issue is closed and done.
        forge.ci(repo, rebasedHead, { name: "ci/test", state: "success" });
        forge.review(repo, pull, "reviewer", "", "APPROVED");
        await waitFor(() => pull.pull?.merged === true, "the merge", 120_000).catch(
          async (error: unknown) => {
            const seen = (await events()).filter((e) =>
              /^(reaction|forge|supervisor\.error|vault|publish|run\.)/.test(e.type),
            );
            throw new Error(
              `${String(error)}\n${seen.map((e) => `${e.type} ${JSON.stringify(e.data)}`).join("\n")}`,
            );
          },
        );
        await waitFor(() => issue.state === "closed", "the issue to close", 30_000);
        await waitFor(() => issue.labels.some((l) => l.name === "done"), "the done label", 30_000);
        assert.deepEqual(
          issue.labels.map((l) => l.name),
          ["done"],
        );
        execFileSync("git", [
          "-C",
          repo.gitDir,
          "merge-base",
          "--is-ancestor",
          rebasedHead,
          "refs/heads/main",
        ]);

        // One run did it all: four attempts, one pull request, nothing received twice.
        assert.deepEqual(await runStates(), ["proposed"]);
        assert.equal(pulls().length, 1);
        const reopened = (await events("run.reopened")).map((e) => (e.data as { reason: string }).reason);
        assert.deepEqual(reopened, ["ci-failed", "changes-requested", "merge-conflict"]);
        const received = (await events("forge.pull-event")).map((e) => (e.data as { key: string }).key);
        assert.equal(new Set(received).size, received.length, "each thing is received once");
        // The merge is done inside the vault's action; its event is written once the action returns.
        await waitFor(
          async () => (await events("reaction.merge-requested")).length > 0,
          "the merge request's event",
          30_000,
        );
        assert.equal((await events("reaction.merge-requested")).length, 1);
      } finally {
        const down = await gaffer(["down"], { cwd, env });
        assert.equal(down.code, 0, down.stderr);
      }
      for (const file of filesUnder(join(cwd, ".gaffer"))) {
        const text = readFileSync(file);
        assert.ok(!text.includes(token) && !text.includes(SECRET), `${file} holds a credential`);
      }
      for (const text of [...repo.issues.values()].flatMap((i) => [
        i.body ?? "",
        ...i.comments.map((c) => c.body),
      ]))
        assert.ok(!text.includes(token), "a token on the forge");
    });
  });
}
