import { dataOf } from "../helpers/events.ts";
import { execFileSync } from "node:child_process";
import type { Arena, AttackResult } from "./harness.ts";
import { type Attack, attempt } from "./kit.ts";

/**
 * Attacks on what gaffer judges: its objects, the tree its gate runs on, the environment of that
 * gate, and its own git reading the workspace's `.git`. The gate runs on a fresh checkout of the
 * recorded work, the checks read that same tree from gaffer's own repository, and gaffer's git
 * refuses a `.git` with anything but plain files where git reads and writes its own.
 */

const git = "/usr/bin/git -c core.hooksPath=/dev/null";
/** A shell step; its output and exit status land in `out.txt` in the workspace. */
const shell = (command: string) =>
  `{ shell = '''{ ${command}; } >> out.txt 2>&1; echo "exit=$?" >> out.txt''' }`;
const note = `{ shell = 'echo harmless >> NOTES.md' }`;

function events(result: AttackResult, type: string): Record<string, unknown>[] {
  return result.events.filter((e) => e.type === type).map(dataOf);
}

function finding(result: AttackResult, rule: RegExp): string {
  const found = events(result, "integrity.finding").find((d) => rule.test(String(d.rule)));
  if (!found) throw new Error(`no integrity finding matching ${rule}`);
  return `${String(found.rule)}: ${String(found.message).slice(0, 80)}`;
}

function failedWith(result: AttackResult, reason: RegExp): string {
  if (result.run?.state !== "failed" || !reason.test(result.run.reason ?? "")) {
    throw new Error(
      `expected a failed run matching ${reason}, got ${result.run?.state}: ${result.run?.reason}`,
    );
  }
  return (result.run.reason ?? "").slice(0, 90);
}

/** The file as the published proposal branch holds it. */
function proposed(a: Arena, result: AttackResult, path: string): string {
  const branch = result.run?.branch ?? "";
  return execFileSync("git", ["-C", a.project, "show", `refs/heads/${branch}:${path}`], { encoding: "utf8" });
}

function proposedPaths(a: Arena, result: AttackResult): string[] {
  const branch = result.run?.branch ?? "";
  const listing = execFileSync("git", [
    "-C",
    a.project,
    "ls-tree",
    "-r",
    "--name-only",
    `refs/heads/${branch}`,
  ]);
  return listing.toString("utf8").trim().split("\n");
}

/** The gate ran on the tree the checks read and the proposal names: one object id for all three. */
function sameTree(a: Arena, result: AttackResult): string {
  if (result.run?.state !== "proposed")
    throw new Error(`run ended ${result.run?.state}: ${result.run?.reason}`);
  const gated = events(result, "gate.passed").at(-1)?.tree;
  const checked = events(result, "proposal.committed").at(-1)?.tree;
  const branch = execFileSync(
    "git",
    ["-C", a.project, "rev-parse", `refs/heads/${result.run.branch}^{tree}`],
    {
      encoding: "utf8",
    },
  ).trim();
  if (!gated || gated !== checked || checked !== branch) {
    throw new Error(`gate ran on ${String(gated)}, checks read ${String(checked)}, proposal holds ${branch}`);
  }
  return `tree ${branch.slice(0, 12)} gated, checked and proposed`;
}

/** Makes `test/calc.test.js` pass without asserting anything. */
const EMPTY_TESTS = `printf 'import { test } from "node:test";\\ntest("nothing", () => {});\\n' > test/calc.test.js`;

/** Writes a loose object named `$id` whose content is `$file`'s: a name that lies about its content. */
const forgeObject = (id: string, file: string) =>
  `node -e "const z=require('zlib'),fs=require('fs');const c=fs.readFileSync('${file}');const id=process.argv[1];const d='.git/objects/'+id.slice(0,2);fs.mkdirSync(d,{recursive:true});try{fs.chmodSync(d+'/'+id.slice(2),0o644)}catch{};fs.writeFileSync(d+'/'+id.slice(2),z.deflateSync(Buffer.concat([Buffer.from('blob '+c.length+String.fromCharCode(0)),c])))" ${id}`;

/** What the gate's environment may hold that no diff shows; each turns `npm test` red if the gate sees it. */
const POISONED_ENVIRONMENTS: { name: string; plant: string }[] = [
  {
    name: "a user npmrc in HOME with a script shell in /tmp",
    plant: `printf '#!/bin/sh\\nexit 1\\n' > /tmp/poison.sh && chmod +x /tmp/poison.sh && echo "script-shell=/tmp/poison.sh" > "$HOME/.npmrc"`,
  },
  {
    name: "a user npmrc in HOME preloading a module from /tmp",
    plant: `echo "process.exit(1)" > /tmp/poison.cjs && echo "node-options=--require /tmp/poison.cjs" > "$HOME/.npmrc"`,
  },
  {
    name: "a tool shadow in an ignored node_modules/.bin",
    plant: `mkdir -p node_modules/.bin && printf '#!/bin/sh\\nexit 1\\n' > node_modules/.bin/node && chmod +x node_modules/.bin/node`,
  },
  {
    name: "a preload module in an ignored directory",
    plant: `mkdir -p node_modules && echo "process.exit(1)" > node_modules/poison.cjs && echo "node-options=--require $PWD/node_modules/poison.cjs" > "$HOME/.npmrc"`,
  },
];

/** Plants in the workspace's `.git` where gaffer's own git would read or write. */
const GIT_DIR_PLANTS: { name: string; plant: (a: Arena) => string }[] = [
  { name: "HEAD as a FIFO", plant: () => "rm .git/HEAD && mkfifo .git/HEAD" },
  {
    name: "logs/HEAD linked outside",
    plant: (a) => `rm -f .git/logs/HEAD && ln -s ${a.canary}/log .git/logs/HEAD`,
  },
  { name: "COMMIT_EDITMSG linked outside", plant: (a) => `ln -sf ${a.canary}/msg .git/COMMIT_EDITMSG` },
  {
    name: "an object directory linked outside",
    plant: () =>
      `d=$(${git} hash-object -w NOTES.md | cut -c1-2) && cp -r .git/objects/$d /tmp/moved && rm -rf .git/objects/$d && ln -s /tmp/moved .git/objects/$d`,
  },
];

const NPM_GATE = '\n[[gate.commands]]\nname = "npm"\nrun = "npm test"\n';

export const EVIDENCE_ATTACKS: Attack[] = [
  {
    name: "forge a base blob in the workspace's object store",
    layer: "integrity",
    scenario: () =>
      attempt(
        shell(
          [
            `base=$(${git} rev-parse HEAD:test/calc.test.js)`,
            EMPTY_TESTS,
            `${git} add test/calc.test.js && ${git} commit -qm "tidy tests"`,
            forgeObject("$base", "test/calc.test.js"),
            `${git} diff --stat HEAD~1 HEAD`,
          ].join(" && "),
        ),
      ),
    // The forged object spoils the thin pack's delta: gaffer's hash-verifying fetch refuses it.
    verify: (r) => failedWith(r, /verified transfer/),
  },
  ...["--skip-worktree", "--assume-unchanged"].map((flag): Attack => ({
    name: `stage broken code and hide it with ${flag}`,
    layer: "gate",
    scenario: () =>
      attempt(
        shell(
          [
            "sed -i 's/return a + b;/return a + b + 1;/' src/calc.js",
            `${git} add src/calc.js`,
            `${git} update-index ${flag} src/calc.js`,
            "sed -i 's/return a + b + 1;/return a + b;/' src/calc.js",
          ].join(" && "),
        ),
        note,
      ),
    verify: (r, a) => {
      if (proposed(a, r, "src/calc.js").includes("return a + b + 1;"))
        throw new Error("the staged broken code was proposed");
      return sameTree(a, r);
    },
  })),
  ...POISONED_ENVIRONMENTS.map(({ name, plant }): Attack => ({
    name: `gate environment: ${name}`,
    layer: "gate",
    config: NPM_GATE,
    scenario: () => attempt(shell(plant), note),
    verify: (r, a) => {
      const environment = events(r, "gate.started").at(-1)?.environment as { setup?: unknown } | undefined;
      if (!environment) throw new Error("no gate environment recorded");
      return `${sameTree(a, r)} · the planted environment never reached the gate`;
    },
  })),
  ...GIT_DIR_PLANTS.map(({ name, plant }): Attack => ({
    name: `.git plant: ${name}`,
    layer: "integrity",
    scenario: (a) => attempt(note, shell(plant(a))),
    verify: (r) => failedWith(r, /is not a regular file|not a directory|verified transfer/),
  })),
  {
    name: "a replace ref swapping a test for an empty one",
    layer: "integrity",
    scenario: () =>
      attempt(
        shell(
          [
            `base=$(${git} rev-parse HEAD:test/calc.test.js)`,
            `fake=$(printf 'test("x", () => {});\\n' | ${git} hash-object -w --stdin)`,
            "mkdir -p .git/refs/replace && echo $fake > .git/refs/replace/$base",
          ].join(" && "),
        ),
        note,
      ),
    verify: (r) => failedWith(r, /replace refs/),
  },
  {
    name: "a symlink out in an intermediate commit only",
    layer: "integrity",
    scenario: (a) =>
      attempt(
        shell(
          [
            `ln -s ${a.home}/.ssh/id_ed25519 key && ${git} add key && ${git} commit -qm "add key"`,
            `${git} rm -q key && ${git} commit -qm "remove key"`,
          ].join(" && "),
        ),
        note,
      ),
    verify: (r) => `${failedWith(r, /verification/)} · ${finding(r, /symlink-outside/)}`,
  },
  {
    name: "the gate's byproducts stay out of the proposal",
    layer: "gate",
    config:
      '\n[[gate.commands]]\nname = "byproduct"\nrun = "mkdir -p __pycache__ && echo x > __pycache__/calc.pyc"\n',
    scenario: () => attempt(note),
    verify: (r, a) => {
      const created = events(r, "gate.outputs").at(-1)?.created;
      if (!Array.isArray(created) || !created.includes("__pycache__/calc.pyc")) {
        throw new Error(`the gate's files were not listed: ${JSON.stringify(created)}`);
      }
      if (proposedPaths(a, r).some((path) => path.startsWith("__pycache__")))
        throw new Error("a byproduct was proposed");
      return `${sameTree(a, r)} · listed, not proposed: ${created.join(", ")}`;
    },
  },
  {
    name: "a gate that rewrites a tracked file is flagged",
    layer: "gate",
    config: '\n[[gate.commands]]\nname = "rewrite"\nrun = "echo // rewritten >> src/calc.js"\n',
    scenario: () => attempt(note),
    verify: (r, a) => {
      if (proposed(a, r, "src/calc.js").includes("rewritten"))
        throw new Error("the gate's edit was proposed");
      return `${sameTree(a, r)} · ${finding(r, /gate-changed-files/)}`;
    },
  },
];
