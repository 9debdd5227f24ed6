import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { gaffer } from "../helpers/cli.ts";
import { treeSnapshot } from "../helpers/tree.ts";
import { gitOut, writeFiles } from "../helpers/git.ts";
import { sampleProject } from "../helpers/project.ts";
import { tempDir } from "../helpers/tmp.ts";
import { DISINTO_VAULT, proposalProject } from "../vault/fixture.ts";

const APPROVERS = `[vault]\napprovers = ["alice@example.com"]\n`;
const CHANGE = {
  "src/calc.js": "export const add = (a, b) => a + b;\nexport const mul = (a, b) => a * b;\n",
};

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function history(dir: string, id: string): string[] {
  return readFileSync(join(dir, ".gaffer", "vault", "audit.jsonl"), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as { action: string; type: string; actor: string })
    .filter((entry) => entry.action === id)
    .map((entry) => `${entry.type} by ${entry.actor}`);
}

describe("e2e: the vault through the CLI", () => {
  it("low: `gaffer merge` merges at once into the checked-out default branch, keeping the snapshot", async (t) => {
    const p = await proposalProject(t, CHANGE);
    const before = gitOut(p.dir, "rev-parse", "main");
    const merged = await gaffer(["merge", "1"], { cwd: p.dir });
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /vault action merge-run-1 \(low\) executed/);
    assert.equal(gitOut(p.dir, "log", "-1", "--format=%P", "main"), `${before} ${p.head}`);
    assert.match(
      gitOut(p.dir, "log", "-1", "--format=%B", "main"),
      /gaffer vault action merge-run-1 \(low\)/,
    );
    assert.match(
      readFileSync(join(p.dir, "src/calc.js"), "utf8"),
      /mul/,
      "the user's worktree has the merge",
    );
    assert.equal(gitOut(p.dir, "status", "--porcelain", "--untracked-files=no"), "");
    assert.equal(gitOut(p.dir, "rev-parse", "refs/gaffer/snapshots/1"), p.head);

    const shown = json((await gaffer(["vault", "show", "merge-run-1", "--json"], { cwd: p.dir })).stdout);
    assert.equal(shown.state, "fired");
    assert.equal(shown.result.exit_code, 0);
    assert.equal(shown.result.merge.commit, gitOut(p.dir, "rev-parse", "main"));
    assert.deepEqual(shown.request.reasons, [
      { rule: "tiers.merge", tier: "low", why: "merge is low (built-in)" },
    ]);
    assert.deepEqual(history(p.dir, "merge-run-1"), [
      "requested by test@example.com",
      "approved by gaffer",
      "fired by gaffer",
      "executed by gaffer",
    ]);
    assert.ok(existsSync(join(p.dir, ".gaffer", "vault", "fired", "merge-run-1.result.json")));
    assert.match((await gaffer(["logs", "1"], { cwd: p.dir })).stdout, /vault\.merged/);
    assert.equal((await gaffer(["vault", "verify"], { cwd: p.dir })).code, 0);
    const item = json((await gaffer(["issue", "show", "1", "--json"], { cwd: p.dir })).stdout);
    assert.equal(item.state, "closed", "the merge closed its item");
    assert.equal(
      item.closedNote,
      `merged into main as ${gitOut(p.dir, "rev-parse", "main")} (run 1, vault action merge-run-1)`,
    );
    assert.match(
      (await gaffer(["issue", "show", "1"], { cwd: p.dir })).stdout,
      /^closed: merged into main as /m,
    );

    const again = await gaffer(["merge", "1"], { cwd: p.dir });
    assert.equal(again.code, 64);
    assert.match(again.stderr, /is already merged into main/);
  });

  it("medium: is announced, waits for review, then executes when the window ends (on_timeout = execute)", async (t) => {
    const notified = join(tempDir(t, "gaffer-notify-"), "request.json");
    const p = await proposalProject(t, CHANGE, {
      gaffer: `${APPROVERS}review_timeout = "1s"\nnotify = 'cat > ${notified}; echo "$GAFFER_VAULT_SUMMARY" >> ${notified}.txt'\n`,
      policy: `[tiers]\nmerge = "medium"\n`,
    });
    const before = gitOut(p.dir, "rev-parse", "main");
    const requested = await gaffer(["merge", "1"], { cwd: p.dir });
    assert.equal(requested.code, 0, requested.stderr);
    assert.match(requested.stdout, /merge-run-1 \(medium\) waits for review until \S+; then it executes/);
    assert.equal(gitOut(p.dir, "rev-parse", "main"), before, "nothing merged yet");
    assert.equal(json(readFileSync(notified, "utf8")).id, "merge-run-1", "notify got the request on stdin");
    assert.match(
      readFileSync(`${notified}.txt`, "utf8"),
      /^medium vault action merge-run-1 waits for review: merge gaffer\/1-change into main/,
    );
    assert.match((await gaffer(["vault", "list"], { cwd: p.dir })).stdout, /merge-run-1\s+medium\s+pending/);
    await sleep(1100);
    assert.match((await gaffer(["vault", "list"], { cwd: p.dir })).stdout, /pending \(review window over\)/);
    assert.equal(gitOut(p.dir, "rev-parse", "main"), before, "a read command settles nothing");
    const ticked = await gaffer(["vault", "tick"], { cwd: p.dir });
    assert.equal(ticked.code, 0, ticked.stderr);
    assert.match(ticked.stdout, /merge-run-1 \(medium\) executed/);
    assert.notEqual(gitOut(p.dir, "rev-parse", "main"), before);
    assert.deepEqual(history(p.dir, "merge-run-1"), [
      "requested by test@example.com",
      "notified by gaffer",
      "approved by gaffer",
      "fired by gaffer",
      "executed by gaffer",
    ]);
  });

  it("medium: while the factory is up, its supervisor settles an ended review window without a command", async (t) => {
    const p = await proposalProject(t, CHANGE, {
      gaffer: `${APPROVERS}review_timeout = "1s"\n\n[roles.tidy]\nkind = "service"\ncommand = "sleep 600"\n`,
      policy: `[tiers]\nmerge = "medium"\n`,
    });
    const before = gitOut(p.dir, "rev-parse", "main");
    assert.equal((await gaffer(["merge", "1"], { cwd: p.dir })).code, 0);
    const up = await gaffer(["up"], { cwd: p.dir });
    assert.equal(up.code, 0, up.stderr);
    try {
      for (let waited = 0; gitOut(p.dir, "rev-parse", "main") === before && waited < 20_000; waited += 250)
        await sleep(250);
    } finally {
      await gaffer(["down"], { cwd: p.dir });
    }
    assert.notEqual(gitOut(p.dir, "rev-parse", "main"), before, "merged once the window ended");
    assert.deepEqual(history(p.dir, "merge-run-1").slice(-3), [
      "approved by gaffer",
      "fired by gaffer",
      "executed by gaffer",
    ]);
  });

  it("medium: expires unreviewed (on_timeout = expire), or runs at once when an approver approves", async (t) => {
    const p = await proposalProject(t, CHANGE, {
      gaffer: `${APPROVERS}review_timeout = "1s"\non_timeout = "expire"\n`,
      policy: `[tiers]\nmerge = "medium"\n`,
    });
    const before = gitOut(p.dir, "rev-parse", "main");
    assert.match((await gaffer(["merge", "1"], { cwd: p.dir })).stdout, /then it expires/);
    await sleep(1100);
    const expired = await gaffer(["vault", "tick", "--json"], { cwd: p.dir });
    assert.deepEqual(
      json(expired.stdout).map((a: { state: string }) => a.state),
      ["rejected"],
    );
    assert.equal(gitOut(p.dir, "rev-parse", "main"), before);
    assert.deepEqual(history(p.dir, "merge-run-1"), ["requested by test@example.com", "expired by gaffer"]);

    writeFileSync(join(p.dir, "gaffer.toml"), `${APPROVERS}review_timeout = "1h"\non_timeout = "expire"\n`);
    const again = await gaffer(["merge", "1", "--json"], { cwd: p.dir });
    assert.equal(json(again.stdout).request.id, "merge-run-1-2");
    const approved = await gaffer(["vault", "approve", "merge-run-1-2", "--as", "alice@example.com"], {
      cwd: p.dir,
    });
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /merge-run-1-2 \(medium\) executed/);
    assert.notEqual(gitOut(p.dir, "rev-parse", "main"), before);
  });

  it("high: a merge touching CI blocks until an approver approves; others are refused", async (t) => {
    const p = await proposalProject(t, { ".github/workflows/ci.yml": "on: push\n" }, { gaffer: APPROVERS });
    const before = gitOut(p.dir, "rev-parse", "main");
    const requested = await gaffer(["merge", "1"], { cwd: p.dir });
    assert.equal(requested.code, 0, requested.stderr);
    assert.match(requested.stdout, /merge-run-1 \(high\) is blocked until an approver approves it/);
    assert.match(requested.stdout, /paths\.ci: touches CI configuration: \.github\/workflows\/ci\.yml/);
    assert.equal((await gaffer(["vault", "tick"], { cwd: p.dir })).stdout.trim(), "nothing was due");
    assert.equal(gitOut(p.dir, "rev-parse", "main"), before);

    const stranger = await gaffer(["vault", "approve", "merge-run-1", "--as", "mallory@example.com"], {
      cwd: p.dir,
    });
    assert.equal(stranger.code, 64);
    assert.equal(
      stranger.stderr,
      'gaffer: "mallory@example.com" is not an approver of this project\'s vault — approvers: alice@example.com ([vault] approvers in gaffer.toml); pass --as <name>\n',
    );
    const byGit = await gaffer(["vault", "approve", "merge-run-1"], { cwd: p.dir });
    assert.equal(byGit.code, 64, "git's user.email (test@example.com) is no approver either");
    assert.equal(gitOut(p.dir, "rev-parse", "main"), before);

    const approved = await gaffer(["vault", "approve", "merge-run-1"], {
      cwd: p.dir,
      env: { GAFFER_APPROVER: "Alice@Example.com" },
    });
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /merge-run-1 \(high\) executed/);
    assert.ok(existsSync(join(p.dir, ".github/workflows/ci.yml")));
    assert.deepEqual(history(p.dir, "merge-run-1"), [
      "requested by test@example.com",
      "approved by alice@example.com",
      "fired by gaffer",
      "executed by gaffer",
    ]);
    const shown = await gaffer(["vault", "show", "merge-run-1"], { cwd: p.dir });
    assert.match(
      shown.stdout,
      /why high\n {2}low {5}tiers\.merge: merge is low \(built-in\)\n {2}high {4}paths\.ci: /,
    );
    assert.match(shown.stdout, /approved by alice@example\.com/);
  });

  it("reject needs a reason, and a rejected merge never runs", async (t) => {
    const p = await proposalProject(
      t,
      { "db/migrations/001_init.sql": "create table t (id int);\n" },
      { gaffer: APPROVERS },
    );
    const before = gitOut(p.dir, "rev-parse", "main");
    assert.equal((await gaffer(["merge", "1"], { cwd: p.dir })).code, 0);
    const bare = await gaffer(["vault", "reject", "merge-run-1", "--as", "alice@example.com"], {
      cwd: p.dir,
    });
    assert.equal(bare.code, 64);
    assert.match(
      bare.stderr,
      /rejecting merge-run-1 needs a reason — gaffer vault reject merge-run-1 --reason "…"/,
    );
    const rejected = await gaffer(
      ["vault", "reject", "merge-run-1", "--as", "alice@example.com", "--reason", "migrations need a DBA"],
      { cwd: p.dir },
    );
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.match(rejected.stdout, /merge-run-1 \(high\) is rejected/);
    const late = await gaffer(["vault", "approve", "merge-run-1", "--as", "alice@example.com"], {
      cwd: p.dir,
    });
    assert.equal(late.code, 64);
    assert.match(late.stderr, /vault action merge-run-1 is rejected; only a pending action can be approved/);
    assert.equal(gitOut(p.dir, "rev-parse", "main"), before);
    const shown = await gaffer(["vault", "show", "merge-run-1"], { cwd: p.dir });
    assert.match(shown.stdout, /rejected by alice@example\.com: migrations need a DBA/);
    assert.equal(json((await gaffer(["vault", "list", "--json"], { cwd: p.dir })).stdout).length, 0);
    assert.equal(json((await gaffer(["vault", "list", "--all", "--json"], { cwd: p.dir })).stdout).length, 1);
  });

  it("refuses a merge that would clobber uncommitted changes, and records nothing", async (t) => {
    const p = await proposalProject(t, CHANGE);
    writeFileSync(join(p.dir, "README.md"), "calc, edited but not committed\n");
    const refused = await gaffer(["merge", "1"], { cwd: p.dir });
    assert.equal(refused.code, 70);
    assert.equal(
      refused.stderr,
      `gaffer: main is checked out in ${p.dir} with 1 uncommitted change; gaffer will not touch them — commit or stash them (or switch that worktree to another branch), then try again\n`,
    );
    assert.equal(readFileSync(join(p.dir, "README.md"), "utf8"), "calc, edited but not committed\n");
    assert.equal(json((await gaffer(["vault", "list", "--all", "--json"], { cwd: p.dir })).stdout).length, 0);
  });

  it("runs a disinto action with only its declared secrets, redacted from all it stores and prints", async (t) => {
    const secretsDir = tempDir(t, "gaffer-secrets-");
    const p = await proposalProject(t, CHANGE, {
      gaffer: `[vault]\nsecrets_file = "${join(secretsDir, "vault.env")}"\n[vault.formulas.publish]\nrun = "env | sort; echo deploying with $DEPLOY_KEY"\n`,
      policy: `[tiers]\npublish = "low"\n`,
    });
    writeFileSync(
      join(secretsDir, "vault.env"),
      "# vault secrets\nDEPLOY_KEY=s3cr3t-deploy-value\nexport NPM_TOKEN='npm-token-value'\n",
    );
    chmodSync(join(secretsDir, "vault.env"), 0o600);
    writeFiles(p.dir, {
      "actions/publish-20260101.toml": `id = "publish-20260101"\nformula = "publish"\ncontext = "publish with s3cr3t-deploy-value"\nsecrets = ["DEPLOY_KEY"]\ntimeout_minutes = 1\n`,
    });
    const env = { LEAKY_TOKEN: "leaky-token-value" };
    const ran = await gaffer(["vault", "request", "actions/publish-20260101.toml", "--role", "gardener"], {
      cwd: p.dir,
      env,
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /vault action publish-20260101 \(low\) executed/);
    assert.match(ran.stdout, /DEPLOY_KEY=\[redacted\]/);
    assert.match(ran.stdout, /VAULT_ACTION_ID=publish-20260101/);
    assert.match(ran.stdout, /deploying with \[redacted\]/);
    assert.doesNotMatch(
      ran.stdout,
      /NPM_TOKEN|LEAKY_TOKEN|s3cr3t|leaky-token-value/,
      "only declared secrets, never shown",
    );
    const stored = readdirSync(join(p.dir, ".gaffer", "vault"), { recursive: true, encoding: "utf8" });
    for (const file of stored.map((name) => join(p.dir, ".gaffer", "vault", name))) {
      if (!statSync(file).isFile()) continue;
      assert.doesNotMatch(readFileSync(file, "utf8"), /s3cr3t-deploy-value|npm-token-value/, file);
    }
    const shown = json(
      (await gaffer(["vault", "show", "publish-20260101", "--json"], { cwd: p.dir })).stdout,
    );
    assert.equal(shown.request.context, "publish with [redacted]");
    assert.deepEqual(shown.request.requestedBy, { role: "gardener", identity: "test@example.com" });

    writeFiles(p.dir, {
      "actions/broken.toml": `id = "broken-1"\nformula = "broken"\ncontext = "fails"\nsecrets = []\n`,
    });
    writeFileSync(
      join(p.dir, "gaffer.toml"),
      `${readFileSync(join(p.dir, "gaffer.toml"), "utf8")}[vault.formulas.broken]\nrun = "echo about to fail; exit 3"\n`,
    );
    writeFileSync(join(p.dir, "policy.toml"), `[tiers]\npublish = "low"\nbroken = "low"\n`);
    const failed = await gaffer(["vault", "request", "actions/broken.toml"], { cwd: p.dir });
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /vault action broken-1 \(low\) failed \(exit 3\)\n {2}about to fail\n/);

    writeFileSync(
      join(p.dir, "gaffer.toml"),
      `${readFileSync(join(p.dir, "gaffer.toml"), "utf8")}\n[sandbox]\nenv = ["DEPLOY_KEY"]\n`,
    );
    writeFiles(p.dir, {
      "actions/publish-2.toml": `id = "publish-2"\nformula = "publish"\ncontext = "again"\nsecrets = ["DEPLOY_KEY"]\n`,
    });
    const visible = await gaffer(["vault", "request", "actions/publish-2.toml"], { cwd: p.dir });
    assert.equal(visible.code, 78);
    assert.match(
      visible.stderr,
      /secret DEPLOY_KEY is also passed to agents by \[sandbox\] env in gaffer\.toml/,
    );
  });

  it("verify finds an edited, inserted, deleted or cut-off record, and files changed behind gaffer's back; the vault then refuses to act", async (t) => {
    const p = await proposalProject(t, { ".github/workflows/ci.yml": "on: push\n" }, { gaffer: APPROVERS });
    const as = ["--as", "alice@example.com"];
    assert.equal((await gaffer(["merge", "1"], { cwd: p.dir })).code, 0);
    assert.equal(
      (await gaffer(["vault", "reject", "merge-run-1", ...as, "-r", "not now"], { cwd: p.dir })).code,
      0,
    );
    assert.equal((await gaffer(["merge", "1"], { cwd: p.dir })).code, 0);
    const vault = join(p.dir, ".gaffer", "vault");
    const log = join(vault, "audit.jsonl");
    const clean = await gaffer(["vault", "verify"], { cwd: p.dir });
    assert.equal(clean.code, 0);
    assert.equal(clean.stdout, "the vault verifies: 3 audit records, 2 actions\n");

    const original = readFileSync(log, "utf8");
    const rows = original.trimEnd().split("\n");
    const verify = async (text: string) => {
      writeFileSync(log, text);
      const result = await gaffer(["vault", "verify"], { cwd: p.dir });
      writeFileSync(log, original);
      assert.equal(result.code, 1, text);
      return result.stdout;
    };
    const lines = (list: (string | undefined)[]) => `${list.join("\n")}\n`;
    assert.match(
      await verify(original.replace('"reason":"not now"', '"reason":"fine"')),
      /^\.gaffer\/vault\/audit\.jsonl:2: record 2 was edited: its content does not match its hash$/m,
    );
    assert.match(
      await verify(lines([rows[0], rows[1], rows[1], rows[2]])),
      /^\.gaffer\/vault\/audit\.jsonl:3: record 2 follows record 2: inserted or moved$/m,
    );
    assert.match(
      await verify(lines([rows[0], rows[2]])),
      /^\.gaffer\/vault\/audit\.jsonl:2: record 2 is missing: deleted$/m,
    );
    assert.match(
      await verify(lines([rows[0], rows[1]])),
      /^\.gaffer\/vault\/audit\.head: the log ends at record 2 but its head is record 3: truncated$/m,
    );

    mkdirSync(join(vault, "approved"));
    renameSync(join(vault, "pending", "merge-run-1-2.json"), join(vault, "approved", "merge-run-1-2.json"));
    const moved = await gaffer(["vault", "verify"], { cwd: p.dir });
    assert.equal(moved.code, 1);
    assert.match(
      moved.stdout,
      /approved\/merge-run-1-2\.json: the audit log has it pending, not approved \(moved behind gaffer's back\)/,
    );
    const sneaky = await gaffer(["vault", "tick"], { cwd: p.dir });
    assert.equal(sneaky.code, 1);
    assert.match(sneaky.stderr, /vault action merge-run-1-2: the audit log has it pending, not approved/);
    renameSync(join(vault, "approved", "merge-run-1-2.json"), join(vault, "pending", "merge-run-1-2.json"));

    writeFileSync(log, original.replace('"tier":"high"', '"tier":"low"'));
    const edited = await gaffer(["vault", "verify", "--json"], { cwd: p.dir });
    assert.deepEqual(json(edited.stdout).problems[0], {
      where: ".gaffer/vault/audit.jsonl:1",
      message: "record 1 was edited: its content does not match its hash",
    });
    const refused = await gaffer(["vault", "approve", "merge-run-1-2", ...as], { cwd: p.dir });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the vault's audit log fails verification at line 1/);
    assert.equal(gitOut(p.dir, "rev-parse", "main"), p.base, "nothing was merged");
  });

  it("read commands write nothing", async (t) => {
    const p = await proposalProject(t, { ".github/workflows/ci.yml": "on: push\n" }, { gaffer: APPROVERS });
    assert.equal((await gaffer(["merge", "1"], { cwd: p.dir })).code, 0);
    const lintDir = tempDir(t, "gaffer-lint-");
    writeFiles(lintDir, DISINTO_VAULT);
    const before = [
      ...treeSnapshot(join(p.dir, ".gaffer")),
      ...treeSnapshot(join(p.dir, ".git")),
      ...treeSnapshot(lintDir),
    ];
    for (const args of [
      ["vault", "list"],
      ["vault", "list", "--all", "--json"],
      ["vault", "show", "merge-run-1"],
      ["vault", "show", "merge-run-1", "--json"],
      ["vault", "verify"],
      ["vault", "verify", "--json"],
      ["vault", "lint", lintDir],
      ["vault", "lint", lintDir, "--json"],
    ]) {
      const result = await gaffer(args, { cwd: p.dir });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    }
    assert.deepEqual(
      [
        ...treeSnapshot(join(p.dir, ".gaffer")),
        ...treeSnapshot(join(p.dir, ".git")),
        ...treeSnapshot(lintDir),
      ],
      before,
    );
  });

  it("lint validates disinto's vault files, and names file, line, key and fix for a bad one", async (t) => {
    const dir = tempDir(t, "gaffer-lint-");
    writeFiles(dir, DISINTO_VAULT);
    const good = await gaffer(["vault", "lint", dir], { cwd: dir });
    assert.equal(good.code, 0, good.stdout);
    assert.equal(good.stdout, "7 files: 4 actions, 2 requests for a human, 0 invalid\n");
    writeFiles(dir, {
      "actions/bad.toml": `id = "bad"\nformula = "x"\ncontext = "c"\nsecrets = []\nimage = "disinto/agents"\n`,
    });
    const human = await gaffer(["vault", "request", "actions/fix-ops-branch-protection-20260415.toml"], {
      cwd: dir,
    });
    assert.equal(human.code, 65);
    assert.match(
      human.stderr,
      /fix-ops-branch-protection-20260415\.toml asks a person to act; gaffer cannot execute it/,
    );
    const bad = await gaffer(["vault", "lint", "."], { cwd: dir });
    assert.equal(bad.code, 65);
    assert.equal(
      bad.stdout,
      'actions/bad.toml:5: unknown key "image" — valid keys here: id, formula, context, secrets, mounts, model, tools, timeout_minutes, blast_radius, dispatch_mode\n8 files: 4 actions, 2 requests for a human, 1 invalid\n',
    );
  });

  it("a real run's proposal merges only through the vault, and its workspace is kept as a snapshot", async (t) => {
    const dir = await sampleProject(t);
    assert.equal((await gaffer(["run", "1"], { cwd: dir })).code, 0);
    const shown = await gaffer(["show", "1"], { cwd: dir });
    assert.match(shown.stdout, /merge \(through the vault[^\n]*\n {2}gaffer merge 1\n/);
    assert.doesNotMatch(shown.stdout, /git merge/);
    const branch = "gaffer/1-add-a-multiply-function";
    const head = gitOut(dir, "rev-parse", branch);
    const merged = await gaffer(["merge", "1", "--context", "multiply, reviewed"], { cwd: dir });
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(gitOut(dir, "log", "-1", "--format=%P", "main").split(" ")[1], head);
    assert.match(
      gitOut(dir, "log", "-1", "--format=%B", "main"),
      /^Merge gaffer\/1-add-a-multiply-function \(gaffer run 1\)\n\nmultiply, reviewed\n/,
    );
    assert.equal(gitOut(dir, "rev-parse", "refs/gaffer/snapshots/1"), head, "the workspace, kept");
    assert.ok(existsSync(join(dir, ".gaffer", "workspaces", "run-1")), "and not removed");
    assert.match(readFileSync(join(dir, "src/calc.js"), "utf8"), /export function multiply/);
    assert.equal(gitOut(dir, "status", "--porcelain", "--untracked-files=no"), "");
  });
});
