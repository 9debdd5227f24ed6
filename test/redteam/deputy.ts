import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GAFFER_BIN } from "../helpers/cli.ts";
import type { Arena, AttackResult } from "./harness.ts";
import { SECRET } from "./harness.ts";
import type { Attack, Layer } from "./kit.ts";

/**
 * Confused-deputy attacks: the agent leaves something where gaffer itself will read or write on
 * its next step (its next brief, the guard log, its own config dir, an ACP read), hoping gaffer
 * follows it to a secret, a project file or a FIFO that freezes it. Every primitive is tried at
 * every place; each attack must be blocked or detected, leak no secret and not hang.
 */

/** Plays the scripted agent under the name of Claude Code's ACP adapter, so gaffer writes Claude's rules for it. */
const CLAUDE_SHIM = fileURLToPath(new URL("./claude-agent-acp", import.meta.url));

interface Primitive {
  name: string;
  /** A shell command that makes `path` this primitive (after whatever was there is removed). */
  plant(a: Arena, path: string): string;
}

const PRIMITIVES: Primitive[] = [
  { name: "symlink to /proc/self/environ", plant: (_a, p) => `ln -s /proc/self/environ ${p}` },
  { name: "symlink to the project's .env", plant: (a, p) => `ln -s ${a.project}/.env ${p}` },
  { name: "symlink to a project file", plant: (a, p) => `ln -s ${a.project}/package.json ${p}` },
  { name: "FIFO", plant: (_a, p) => `mkfifo ${p}` },
  {
    name: "socket",
    plant: (_a, p) => `python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" ${p}`,
  },
  { name: "directory", plant: (_a, p) => `mkdir -p ${p}/inner` },
  { name: "huge file", plant: (_a, p) => `head -c 24000000 /dev/zero > ${p}` },
  { name: "hard link to a project file", plant: (a, p) => `ln ${a.project}/package.json ${p}` },
];

interface Place {
  name: string;
  /** The path as the agent's shell names it. */
  path: string;
  layer: Layer;
  config?: string;
  /** Whether gaffer meets the plant only on its next start (resume) rather than later in the same run. */
  resume: boolean;
  /** Steps around the plant: what makes gaffer touch the place afterwards. */
  before: string[];
  after: string[];
  evidence(result: AttackResult): string;
}

const crash = `{ crash = 3, message = "planted; resume me" }`;

const PLACES: Place[] = [
  {
    name: "the conventions file (AGENTS.md) of the next brief",
    path: "AGENTS.md",
    layer: "safe-fs",
    resume: true,
    before: [],
    after: [crash],
    evidence: (r) => {
      const briefs = r.events.filter((e) => e.type === "agent.prompt");
      // git refuses to snapshot a tracked path turned into a FIFO or socket: the run stops there.
      if (briefs.length < 2 && /unsupported file type/.test(r.run?.reason ?? "")) return r.run?.reason ?? "";
      if (briefs.length < 2) throw new Error(`expected a brief after the resume, got ${briefs.length}`);
      const last = readFileSync(String(briefs.at(-1)?.data.path), "utf8");
      if (!last.includes("Every function has a test"))
        throw new Error("the brief lost the committed conventions");
      return `${briefs.length} briefs, conventions from the base commit`;
    },
  },
  {
    name: "the guard log",
    path: '"$GAFFER_GUARD_LOG"',
    layer: "sandbox",
    resume: false,
    before: [`{ shell = 'git push > /dev/null 2>&1 || true' }`],
    after: [`{ shell = 'git push > /dev/null 2>&1 || true' }`],
    evidence: (r) => {
      const denied = r.events.filter((e) => e.type === "guard.denied").length;
      if (denied > 0) return `the log stayed gaffer's: ${denied} denials recorded`;
      if (r.run?.state === "failed" && /denials\.jsonl is /.test(r.run.reason ?? ""))
        return r.run.reason ?? "";
      throw new Error(`neither denials recorded nor the log refused: ${r.run?.state} ${r.run?.reason}`);
    },
  },
  {
    name: "the agent's config dir (Claude settings.json)",
    path: '"$CLAUDE_CONFIG_DIR/settings.json"',
    layer: "safe-fs",
    config: `\n[agent]\ndefault = "claude"\n\n[agents.claude]\ndriver = "acp"\ncommand = ${JSON.stringify([CLAUDE_SHIM, process.execPath, GAFFER_BIN, "agent", "scripted"])}\n`,
    resume: true,
    before: [],
    after: [crash],
    evidence: (r) => {
      const written = r.events.filter((e) => e.type === "guard.agent-rules").length;
      if (written < 2) throw new Error(`expected the rules written again on resume, got ${written}`);
      return `rules written ${written} times as fresh files`;
    },
  },
  {
    name: "a file the agent reads through gaffer",
    path: "planted",
    layer: "acp-fs",
    resume: false,
    before: [],
    after: [`{ read = "planted" }`],
    evidence: (r) => {
      if (r.events.some((e) => e.type === "agent.file-read")) throw new Error("gaffer read the planted file");
      const denied = r.events.find((e) => e.type === "agent.file-denied");
      return denied ? `denied: ${String(denied.data.reason)}` : "not read: nothing was planted";
    },
  },
];

/** gaffer's record of the run (events, its output, the briefs it wrote) never holds the secret. */
function noLeak(r: AttackResult): void {
  const briefs = r.events
    .filter((e) => e.type === "agent.prompt")
    .map((e) => readFileSync(String(e.data.path), "utf8"));
  const record = [JSON.stringify(r.events), r.cli.stdout, r.cli.stderr, ...briefs].join("\n");
  if (record.includes(SECRET)) throw new Error("the secret reached gaffer's record of the run");
}

const step = (command: string) => `{ shell = '''${command}''' }`;

export const DEPUTY_ATTACKS: Attack[] = PLACES.flatMap((place) =>
  PRIMITIVES.map((primitive) => ({
    name: `deputy: ${primitive.name} as ${place.name}`,
    layer: place.layer,
    resume: place.resume,
    ...(place.config && { config: place.config }),
    scenario: (a: Arena) =>
      `[[attempts]]\nsteps = [\n  ${[
        ...place.before,
        step(`{ rm -rf ${place.path}; ${primitive.plant(a, place.path)}; } > plant.txt 2>&1 || true`),
        ...place.after,
      ].join(",\n  ")},\n]\n`,
    verify: (r: AttackResult) => {
      noLeak(r);
      return place.evidence(r);
    },
  })),
);
