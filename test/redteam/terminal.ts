import { readFileSync } from "node:fs";
import { printable } from "../../src/util/printable.ts";
import { markdownHeadings, RAW_CONTROL } from "../helpers/terminal.ts";
import { type Arena, type AttackResult, inspect } from "./harness.ts";
import type { Attack } from "./kit.ts";

/**
 * Terminal injection: agent-controlled text carrying escape sequences (set the window title, clear
 * the screen, colour), a bidi override and a C1 CSI. Whatever channel carries it — a commit
 * subject, a file name, a symlink target, an agent message, a failing command's output — no raw
 * control may reach the operator through `gaffer run`, `show`, `logs` or the failure report, while
 * their `--json` output keeps the raw text.
 */
const PAYLOAD = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\u202e\x9b31m";
/** The payload as TOML (basic string) and JavaScript escapes spell it. */
const ESCAPED = "\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31m\\u202e\\u009b31m";

interface Channel {
  name: string;
  steps: string[];
  state: "proposed" | "failed" | "gave-up";
  fixAttempts?: number;
  /** The output that must show the payload, escaped. */
  shownIn: Output;
  /** Where `show --json` keeps the payload raw. */
  raw: (show: ShowJson) => unknown;
  /** What of it is kept: gaffer's cleaning of gate output drops escape sequences, not bidi. */
  rawText?: string;
}

type Output = `gaffer ${"run" | "show" | "logs"} ${"stdout" | "stderr"}` | "the failure report";

interface ShowJson {
  run: { reason: string | null };
  attempts: { feedback: string | null }[];
  proposal: { commits: { subject: string }[] } | null;
}

const say = `{ say = "done ${ESCAPED}" }`;

const CHANNELS: Channel[] = [
  {
    name: "commit subject, file name and agent message",
    steps: [`{ write = "notes-${ESCAPED}.md", content = "x\\n" }`, `{ commit = "fix ${ESCAPED}" }`, say],
    state: "proposed",
    shownIn: "gaffer show stdout",
    raw: (show) => show.proposal?.commits.map((c) => c.subject),
  },
  {
    name: "symlink target",
    steps: [
      `{ run = "ln -s '/tmp/${ESCAPED}' escape-link" }`,
      `{ run = "git push origin '${ESCAPED}'" }`,
      say,
    ],
    state: "failed",
    shownIn: "the failure report",
    raw: (show) => show.run.reason,
  },
  {
    // Attempt 1 fails the gate with the payload in its output; attempt 2 changes nothing: give-up.
    name: "failing command's output, then give up",
    steps: [
      `{ write = "test/zz-payload.test.js", content = '''throw new Error("${ESCAPED}\\n\`\`\`\\n# Forged heading");''' }`,
      say,
    ],
    state: "gave-up",
    fixAttempts: 1,
    shownIn: "the failure report",
    raw: (show) => show.attempts.map((a) => a.feedback),
    rawText: "\u202e",
  },
];

export const TERMINAL_ATTACKS: Attack[] = CHANNELS.map((channel) => ({
  name: `escape sequences in a ${channel.name}`,
  layer: "output",
  ...(channel.fixAttempts !== undefined && { fixAttempts: channel.fixAttempts }),
  scenario: () => `[[attempts]]\nsteps = [\n  ${channel.steps.join(",\n  ")},\n]\n`,
  verify: async (result, a) => {
    if (result.run?.state !== channel.state)
      throw new Error(`expected ${channel.state}, got ${result.run?.state}`);
    const shown = await shownEverywhere(result, a, channel.shownIn);
    const show = JSON.parse((await inspect(a, ["show", String(result.run.id), "--json"])).stdout) as ShowJson;
    if (!carries(channel.raw(show), channel.rawText ?? PAYLOAD))
      throw new Error("show --json lost the raw text");
    const logs = (await inspect(a, ["logs", String(result.run.id), "--json"])).stdout;
    if (!logs.split("\n").some((line) => line && carries(JSON.parse(line), PAYLOAD)))
      throw new Error("logs --json lost the raw text");
    return `${shown}; --json keeps it raw`;
  },
}));

const GAFFER_HEADING =
  /^(# Failure report: run \d+, item #\d+|## (Attempts|Last failures|Gate state|Git state|Recommendation)|### Attempt \d+)$/;

/** Every human-facing output of the attack, checked for a raw control; says what it checked. */
async function shownEverywhere(result: AttackResult, a: Arena, shownIn: Output): Promise<string> {
  const run = result.run as NonNullable<AttackResult["run"]>;
  const outputs: [Output, string][] = [
    ["gaffer run stdout", result.cli.stdout],
    ["gaffer run stderr", result.cli.stderr],
  ];
  for (const command of ["show", "logs"] as const) {
    const cli = await inspect(a, [command, String(run.id)]);
    outputs.push([`gaffer ${command} stdout`, cli.stdout], [`gaffer ${command} stderr`, cli.stderr]);
  }
  if (run.reportPath) {
    const report = readFileSync(run.reportPath, "utf8");
    outputs.push(["the failure report", report]);
    const forged = markdownHeadings(report).filter((h) => !GAFFER_HEADING.test(h));
    if (forged.length) throw new Error(`the failure report has forged headings: ${forged.join(" | ")}`);
  }
  for (const [where, text] of outputs) {
    const raw = RAW_CONTROL.exec(text);
    if (raw)
      throw new Error(
        `${where} shows a raw ${printable(raw[0])}: ${printable(text.slice(Math.max(0, raw.index - 40), raw.index + 40))}`,
      );
  }
  if (!outputs.some(([where, text]) => where === shownIn && text.includes("\\u202e")))
    throw new Error(`${shownIn} does not show the payload escaped: the attack never reached it`);
  return `no raw control in run, show, logs${run.reportPath ? ", the report" : ""}`;
}

/** Whether a JSON value holds the raw text in one of its strings. */
function carries(value: unknown, raw: string): boolean {
  if (typeof value === "string") return value.includes(raw);
  if (Array.isArray(value)) return value.some((item) => carries(item, raw));
  if (value && typeof value === "object") return Object.values(value).some((item) => carries(item, raw));
  return false;
}
