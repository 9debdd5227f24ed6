// Records the headless transcripts in test/agents/headless/fixtures/: runs each real CLI (installed by
// scripts/agents-install.ts) once in its JSON mode, exactly as gaffer's headless driver starts it,
// against the fake model server of its provider, in a fresh git repository with gaffer's own deny
// rules for that CLI. Saves the CLI's stdout as `<format>.jsonl` and what the fake server reported
// per request as `<format>.usage.json`, which the parser tests check the totals against.
//
//   node scripts/agents-record.ts [claude|codex|gemini|opencode ...]
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HEADLESS_FORMATS } from "../src/agents/headless/formats.ts";
import type { HeadlessFormat } from "../src/agents/types.ts";
import { writeAgentRules } from "../src/guard/index.ts";
import { startFakeAnthropic } from "../test/agents-real/fake-models/anthropic.ts";
import { startFakeGemini } from "../test/agents-real/fake-models/gemini.ts";
import { startFakeOpenAi } from "../test/agents-real/fake-models/openai.ts";
import { PROJECT_FILES, PROMPT } from "../test/agents-real/fake-models/script.ts";
import type { FakeModelServer } from "../test/agents-real/fake-models/server.ts";
import { agentsBin, isInstalled } from "./agents-install.ts";

const FIXTURES = fileURLToPath(new URL("../test/agents/headless/fixtures/", import.meta.url));
/** Where the recording runs; the transcripts name it instead of a random temp dir. */
const SHOWN_ROOT = "/tmp/gaffer-record";

interface Recording {
  model: string;
  start(): Promise<FakeModelServer>;
  /** Variables pointing the CLI at the fake server (beside gaffer's rule variables). */
  env(url: string, home: string): Record<string, string>;
  /** Arguments the CLI needs for the fake server, put before the prompt arguments. */
  extraArgs?(url: string): string[];
}

const RECORDINGS: Record<HeadlessFormat, Recording> = {
  claude: {
    model: "claude-sonnet-4-5",
    start: startFakeAnthropic,
    env: (url) => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: "sk-ant-fake", IS_SANDBOX: "1" }),
  },
  codex: {
    model: "gpt-5.5",
    start: startFakeOpenAi,
    env: () => ({ OPENAI_API_KEY: "sk-fake" }),
    // A provider of its own: the built-in one tries a WebSocket first, which the fake does not speak.
    extraArgs: (url) => [
      "-c",
      'model_provider="fake"',
      "-c",
      `model_providers.fake={name="fake", base_url="${url}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=false}`,
    ],
  },
  gemini: {
    model: "gemini-2.5-flash",
    start: startFakeGemini,
    env: (url) => ({ GEMINI_API_KEY: "fake-key", GOOGLE_GEMINI_BASE_URL: url }),
  },
  opencode: {
    model: "anthropic/claude-sonnet-4-5",
    start: startFakeAnthropic,
    env: (url, home) => ({
      ANTHROPIC_API_KEY: "sk-ant-fake",
      OPENCODE_CONFIG_CONTENT: JSON.stringify({
        provider: { anthropic: { options: { baseURL: `${url}/v1` } } },
      }),
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".local", "share"),
      XDG_CACHE_HOME: join(home, ".cache"),
      XDG_STATE_HOME: join(home, ".local", "state"),
    }),
  },
};

async function record(format: HeadlessFormat): Promise<void> {
  const recording = RECORDINGS[format];
  rmSync(SHOWN_ROOT, { recursive: true, force: true });
  const root = mkdtempSync(join(tmpdir(), "gaffer-record-"));
  const [workspace, home, agentDir] = ["workspace", "home", "agent"].map((name) => join(root, name)) as [
    string,
    string,
    string,
  ];
  for (const [path, content] of Object.entries(PROJECT_FILES)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  mkdirSync(home, { recursive: true });
  git(workspace, "init", "--quiet", "--initial-branch=main");
  git(workspace, "add", "--all");
  git(workspace, "-c", "user.name=gaffer", "-c", "user.email=gaffer@example.com", "commit", "-qm", "initial");
  const rules = await writeAgentRules(agentDir, format, workspace);
  const server = await recording.start();
  try {
    const { args, input } = HEADLESS_FORMATS[format].invocation(PROMPT, recording.model);
    const extra = recording.extraArgs?.(server.url) ?? [];
    const at = args.includes("-") ? args.indexOf("-") : args.length;
    const argv = [...args.slice(0, at), ...extra, ...args.slice(at)];
    // Asynchronously: the fake server answers from this same process.
    const result = await run(join(agentsBin(), format), argv, {
      cwd: workspace,
      input: input ?? "",
      env: {
        PATH: `${dirname(process.execPath)}:${agentsBin()}:/usr/local/bin:/usr/bin:/bin`,
        HOME: home,
        TMPDIR: tmpdir(),
        LANG: "C.UTF-8",
        ...rules.env,
        ...recording.env(server.url, home),
      },
    });
    if (result.status !== 0) throw new Error(`${format} exited ${result.status}: ${result.stderr}`);
    // Paths in the transcript name the fixed root; Claude also spells them with dashes.
    const dashed = (path: string) => path.replaceAll("/", "-");
    const transcript = result.stdout
      .replaceAll(root, SHOWN_ROOT)
      .replaceAll(dashed(root), dashed(SHOWN_ROOT));
    writeFileSync(join(FIXTURES, `${format}.jsonl`), transcript);
    const reported = {
      cli: cliVersion(format),
      model: recording.model,
      requests: server.requests
        .filter((request) => request.usage)
        .map(({ path, conversation, usage }) => ({ path, conversation, usage })),
    };
    writeFileSync(join(FIXTURES, `${format}.usage.json`), `${JSON.stringify(reported, null, 2)}\n`);
    console.log(
      `${format}: ${transcript.split("\n").filter(Boolean).length} lines, ${reported.requests.length} requests`,
    );
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function run(
  program: string,
  args: string[],
  options: { cwd: string; input: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(program, args, { cwd: options.cwd, env: options.env, timeout: 120_000 });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.end(options.input);
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

/** What the CLI says its version is. */
function cliVersion(format: HeadlessFormat): string {
  const result = spawnSync(join(agentsBin(), format), ["--version"], { encoding: "utf8", timeout: 30_000 });
  return `${format} ${result.stdout.trim()}`;
}

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
}

const wanted = (process.argv.slice(2) as HeadlessFormat[]).filter((name) => name in RECORDINGS);
for (const format of wanted.length ? wanted : (Object.keys(RECORDINGS) as HeadlessFormat[])) {
  if (!isInstalled(format)) {
    console.error(`${format}: not installed; run node scripts/agents-install.ts ${format}`);
    process.exitCode = 1;
    continue;
  }
  await record(format);
}
