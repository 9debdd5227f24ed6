import { dataOf } from "../helpers/events.ts";
import type { Arena, AttackResult } from "./harness.ts";
import { type Attack, attempt, note } from "./kit.ts";

/** A misbehaving shell step; its text goes inside a TOML literal string. */
const shell = (command: string) => `{ shell = '${command}' }`;
const commitInside = (dir: string) =>
  `git init -q ${dir} && echo inner > ${dir}/a.txt && git -C ${dir} add a.txt && git -C ${dir} -c user.name=x -c user.email=x@x commit -qm inner`;
const gitmodules = (lines: string) =>
  `printf "[submodule \\"inner\\"]\\n${lines}" > .gitmodules && ${commitInside("inner")} && git add inner .gitmodules && git commit -qm embed`;

/** The run failed at verification with a finding of `rule`. */
function blockedBy(rule: string) {
  return (result: AttackResult): string => {
    const { run } = result;
    if (run?.state !== "failed" || !/verification/.test(run.reason ?? "")) {
      throw new Error(`expected a run failed by verification, got ${run?.state}: ${run?.reason}`);
    }
    const finding = result.events.find((e) => e.type === "integrity.finding" && e.data.rule === rule);
    if (!finding) throw new Error(`no ${rule} finding`);
    return `${rule}: ${String(dataOf(finding).message).slice(0, 80)}`;
  };
}

/** Links the agent leaves in its tree whose text looks harmless but whose resolution does not. */
const LINKS: { name: string; command: string; rule: string }[] = [
  {
    name: "a chain of symlinks out of the workspace",
    command: "mkdir sub && ln -s .. sub/up && ln -s sub/up/.. escape",
    rule: "symlink-outside",
  },
  {
    name: "a chain of symlinks into .git",
    command: "mkdir sub && ln -s .. sub/up && ln -s sub/up/.git/config cfg",
    rule: "symlink-outside",
  },
  {
    name: "a loop of symlinks",
    command: "ln -s loop-b loop-a && ln -s loop-a loop-b",
    rule: "symlink-unresolvable",
  },
];

/**
 * Nested repositories and submodule configuration gaffer's own git must neither choke on nor
 * run: each `!cmd` and `ext::` would write into the canary directory, which must stay unchanged.
 */
const NESTED: { name: string; command: (a: Arena) => string; rule: string }[] = [
  {
    name: "an untracked nested repository with no commit",
    command: () => "git init -q nested && echo hi > nested/a.txt",
    rule: "nested-repository",
  },
  {
    name: "an untracked nested repository with a commit",
    command: () => commitInside("inner"),
    rule: "nested-repository",
  },
  {
    name: "a nested repository committed as a gitlink",
    command: () => `${commitInside("inner")} && git add inner && git commit -qm embed`,
    rule: "nested-repository",
  },
  {
    name: ".gitmodules with update = !cmd",
    command: (a) =>
      gitmodules(`\\tpath = inner\\n\\turl = ./inner\\n\\tupdate = !touch ${a.canary}/pwned\\n`),
    rule: "path-denied",
  },
  {
    name: ".gitmodules with an ext:: url",
    command: (a) => gitmodules(`\\tpath = inner\\n\\turl = ext::sh -c touch%% ${a.canary}/pwned\\n`),
    rule: "path-denied",
  },
  {
    name: ".gitmodules with path = ../x",
    command: () => gitmodules("\\tpath = ../x\\n\\turl = ./inner\\n"),
    rule: "path-denied",
  },
];

/**
 * Permission requests judged by what they touch, not only as git commands: each `ask` is a step
 * of the scripted agent (TOML inline-table options), and each must be rejected for `reason`.
 */
const ASKS: { name: string; ask: (a: Arena) => string; reason: RegExp }[] = [
  {
    name: "permission request to edit a file outside the workspace",
    ask: (a) => `ask = "Edit canary.txt", tool_kind = "edit", locations = ["${a.canary}/canary.txt"]`,
    reason: /^edit of .*: outside the workspace$/,
  },
  {
    name: "permission request to delete through a symlink chain out",
    ask: () => `ask = "Delete the parent", tool_kind = "delete", locations = ["sub/up/../x"]`,
    reason: /outside the workspace/,
  },
  {
    name: "permission request to edit .git/config",
    ask: () => `ask = "Edit git config", tool_kind = "edit", locations = ["sub/up/.git/config"]`,
    reason: /inside \.git/,
  },
  {
    name: "permission request to copy ~/.ssh",
    ask: () => `ask = "cp ~/.ssh/id_ed25519 key.txt"`,
    reason: /secret location \(~\/\.ssh\)/,
  },
  {
    name: "permission request to read the project's .env",
    ask: (a) => `ask = "cat ${a.project}/.env"`,
    reason: /secret location \(a \.env file\)/,
  },
  {
    name: "permission request to fetch a host not allowed",
    ask: (a) => `ask = "Fetch http://127.0.0.1:${a.httpPort}/?k=leak", tool_kind = "fetch"`,
    reason: /^fetch of 127\.0\.0\.1:\d+: not in \[sandbox\] hosts$/,
  },
];

export const CONTAINMENT_ATTACKS: Attack[] = [
  ...ASKS.map(({ name, ask, reason }): Attack => ({
    name,
    layer: "policy",
    scenario: (a) =>
      attempt(shell("mkdir -p sub && ln -s .. sub/up"), `{ ${ask(a)} }`, shell("echo harmless >> NOTES.md")),
    verify: (result) => {
      const asked = result.events.find((e) => e.type === "agent.permission");
      if (asked?.data.decision !== "reject" || !reason.test(String(asked.data.rule))) {
        throw new Error(`expected a rejection matching ${reason}, got ${JSON.stringify(asked?.data)}`);
      }
      return `rejected: ${String(asked.data.rule).slice(0, 80)}`;
    },
  })),
  ...LINKS.map(({ name, command, rule }): Attack => ({
    name,
    layer: "integrity",
    scenario: () => attempt(shell(command)),
    verify: blockedBy(rule),
  })),
  ...NESTED.map(({ name, command, rule }): Attack => ({
    name,
    layer: "integrity",
    scenario: (a) => attempt(shell(command(a)), note.direct),
    verify: (result) =>
      [...new Set([rule, "nested-repository"])].map((r) => blockedBy(r)(result)).join(" · "),
  })),
];
