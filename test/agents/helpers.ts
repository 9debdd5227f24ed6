import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import * as acp from "@agentclientprotocol/sdk";
import type { AgentUpdate, CommandPolicy, SessionContext } from "../../src/agents/types.ts";
import { tempDir } from "../helpers/tmp.ts";

/** Denies a command when `basename(command) args…` starts with one of the rules. */
export function stubPolicy(...rules: string[]): CommandPolicy {
  return {
    deniedBy(command, args) {
      const line = [basename(command), ...args].join(" ");
      return rules.find((rule) => line === rule || line.startsWith(`${rule} `));
    },
  };
}

export interface Recorder {
  context: SessionContext;
  updates: AgentUpdate[];
  of<K extends AgentUpdate["kind"]>(kind: K): Extract<AgentUpdate, { kind: K }>[];
}

export function recordingContext(workspace: string, overrides: Partial<SessionContext> = {}): Recorder {
  const updates: AgentUpdate[] = [];
  const context: SessionContext = {
    workspace,
    env: { PATH: process.env.PATH, HOME: workspace, ...GIT_ENV },
    policy: stubPolicy(),
    onUpdate: (update) => updates.push(update),
    turnTimeoutMs: 20_000,
    ...overrides,
  };
  const of = <K extends AgentUpdate["kind"]>(kind: K) =>
    updates.filter((update): update is Extract<AgentUpdate, { kind: K }> => update.kind === kind);
  return { context, updates, of };
}

/** The command that runs the scripted agent as a subprocess, as the CLI will. */
export const SCRIPTED_AGENT_COMMAND = [
  process.execPath,
  fileURLToPath(new URL("fixtures/scripted-agent.ts", import.meta.url)),
];

export function writeScenario(dir: string, toml: string, name = "scenario.toml"): string {
  const path = join(dir, name);
  writeFileSync(path, toml);
  return path;
}

/** A ```scenario block for a prompt. */
export function scenarioBlock(toml: string): string {
  return `Fix the bug.\n\n\`\`\`scenario\n${toml}\n\`\`\`\n`;
}

export const PROMPT = { attempt: 1, runId: 7, itemId: 3 };

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

/** A git repository with a buggy src/add.js committed, as a run's workspace. */
export function gitWorkspace(t: TestContext): string {
  const dir = tempDir(t, "gaffer-ws-");
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: dir, env: { ...process.env, HOME: dir, ...GIT_ENV }, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src/add.js"), "export const add = (a, b) => a - b;\n");
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  return dir;
}

export function gitLog(dir: string): string[] {
  return execFileSync("git", ["log", "--format=%s"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
}

export interface ProbeTurn {
  client: acp.AgentContext;
  sessionId: string;
  cwd: string;
  params: acp.PromptRequest;
  signal: AbortSignal;
  /** Resolves when the client sends session/cancel. */
  cancelled: Promise<void>;
}

/** A minimal ACP agent whose every prompt turn runs `body`; for testing the client side. */
export function probeAgent(body: (turn: ProbeTurn) => Promise<acp.StopReason | undefined>): acp.AgentApp {
  let cwd = "";
  let onCancel = () => {};
  const cancelled = new Promise<void>((resolve) => {
    onCancel = resolve;
  });
  return acp
    .agent({ name: "probe" })
    .onRequest(acp.methods.agent.initialize, () => ({
      protocolVersion: acp.PROTOCOL_VERSION,
      agentCapabilities: {},
    }))
    .onRequest(acp.methods.agent.session.new, ({ params }) => {
      cwd = params.cwd;
      return { sessionId: "probe-1" };
    })
    .onNotification(acp.methods.agent.session.cancel, () => onCancel())
    .onRequest(acp.methods.agent.session.prompt, async ({ params, client, signal }) => ({
      stopReason:
        (await body({ client, sessionId: params.sessionId, cwd, params, signal, cancelled })) ?? "end_turn",
    }));
}

/** The message of a rejected client call, or "ok". */
export async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "ok",
    (error: Error) => error.message,
  );
}

/** Whether a process still runs; a zombie waiting to be reaped counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Resolves once `predicate` holds, polling every 10 ms; fails after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
