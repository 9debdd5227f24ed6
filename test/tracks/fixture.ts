import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { gitRepo } from "../helpers/git.ts";

export const TRACK = "demo_20260101";

/**
 * What the scripted agents do, by name: `sh tools/agent.sh <mode>` in the workspace finds the
 * first task with work left for its phase and does it, as a real agent reads the workspace.
 */
const AGENT_SH = `mode=$1
for n in 1 2 3; do
  case $mode in
    red) if [ ! -e tests/t$n.sh ]; then mkdir -p tests
      printf 'grep -qx "feature %s" src/f%s 2>/dev/null || { echo "src/f%s does not do feature %s"; exit 1; }\\n' $n $n $n $n > tests/t$n.sh; exit 0; fi ;;
    red-passing) if [ ! -e tests/t$n.sh ]; then mkdir -p tests; echo 'exit 0' > tests/t$n.sh; exit 0; fi ;;
    green) if [ -e tests/t$n.sh ] && [ ! -e src/f$n ]; then mkdir -p src; echo "feature $n" > src/f$n; exit 0; fi ;;
    green-wrong) if [ -e tests/t$n.sh ] && [ ! -e src/f$n ]; then mkdir -p src; echo "wrong $n" > src/f$n; exit 0; fi ;;
  esac
done
`;

const RUN_TESTS = `status=0
for t in tests/t*.sh; do
  [ -e "$t" ] || continue
  if sh "$t"; then echo "ok $t"; else echo "FAIL $t"; status=1; fi
done
exit $status
`;

const PLAN = `# Implementation Plan: Demo features

## Phase 1: Basics

- [ ] Task: Feature one
    - [ ] Write its test
    - [ ] Implement it
- [ ] Task: Feature two
- [ ] Task: Conductor - User Manual Verification 'Basics' (Protocol in workflow.md)

## Phase 2: More

- [ ] Task: Feature three
- [ ] Task: Conductor - User Manual Verification 'More' (Protocol in workflow.md)
`;

/** A scripted agent's scenario: one step, the same on every attempt. */
export function agentScenario(step: string): string {
  return `[[attempts]]\nsteps = [${step}]\n`;
}

export const RED = agentScenario('{ run = "sh tools/agent.sh red" }');
export const GREEN = agentScenario('{ run = "sh tools/agent.sh green" }');

/**
 * A project with a three-task Conductor track (two phases, each with its verification meta-task),
 * a shell test suite as its gate, a verify_complete.sh, and a scripted agent per phase role.
 * `eol` writes the track's files with that line ending; `failcount` adds scripts/tier2/failcount.toml;
 * `notify` is `[tracks] notify`.
 */
export function trackProject(
  t: TestContext,
  options: { red?: string; green?: string; eol?: "\n" | "\r\n"; failcount?: string; notify?: string } = {},
): string {
  const eol = (text: string) => text.replaceAll("\n", options.eol ?? "\n");
  const dir = gitRepo(t, {
    ".gitignore": ".gaffer/\ntests/artifacts/\n",
    "gaffer.toml": `[agents.red]
driver = "scripted"
in_process = true
scenario = "agents/red.toml"

[agents.green]
driver = "scripted"
in_process = true
scenario = "agents/green.toml"

[roles.tester]
agent = "red"

[roles.builder]
agent = "green"

[tracks]
red_role = "tester"
green_role = "builder"
${options.notify === undefined ? "" : `notify = ${JSON.stringify(options.notify)}\n`}
[[gate.commands]]
name = "test"
run = "sh run-tests.sh"
timeout = "1m"
`,
    "agents/red.toml": options.red ?? RED,
    "agents/green.toml": options.green ?? GREEN,
    "tools/agent.sh": AGENT_SH,
    "run-tests.sh": RUN_TESTS,
    "verify_complete.sh":
      'echo "verify_complete: checking 3 features"\nsh run-tests.sh && echo "verify_complete: all 3 features present"\n',
    ...(options.failcount !== undefined && { "scripts/tier2/failcount.toml": options.failcount }),
    "conductor/tracks.md": eol(
      `# Project Tracks\n\n---\n\n- [ ] **Track: Demo features**\n*Link: [./tracks/${TRACK}/](./tracks/${TRACK}/)*\n`,
    ),
    [`conductor/tracks/${TRACK}/index.md`]: eol(
      `# Track ${TRACK} Context\n\n- [Specification](./spec.md)\n- [Implementation Plan](./plan.md)\n- [Metadata](./metadata.json)\n`,
    ),
    [`conductor/tracks/${TRACK}/spec.md`]: eol(
      "# Spec: Demo features\n\nThree features, each in src/f<n>.\n",
    ),
    [`conductor/tracks/${TRACK}/plan.md`]: eol(PLAN),
    [`conductor/tracks/${TRACK}/metadata.json`]: eol(
      `{\n  "track_id": "${TRACK}",\n  "type": "feature",\n  "status": "new",\n  "created_at": "2026-01-01T00:00:00Z",\n  "updated_at": "2026-01-01T00:00:00Z",\n  "description": "Demo features"\n}\n`,
    ),
    [`conductor/tracks/${TRACK}/state.toml`]: eol(
      '# manual_slop track state\nstatus = "new"\n\n[[tasks]]\nid = "f1"\nstatus = "Ready"\n',
    ),
  });
  return dir;
}

/** Replaces what a phase's scripted agent does from now on. */
export function setAgent(dir: string, phase: "red" | "green", scenario: string): void {
  writeFileSync(join(dir, "agents", `${phase}.toml`), scenario);
}
