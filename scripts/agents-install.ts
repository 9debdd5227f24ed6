// Installs the real agent CLIs that `npm run test:agents` drives, pinned, from the npm registry,
// into a cache directory outside the repository (they are hundreds of MB and not gaffer's
// dependencies): `${GAFFER_AGENTS_CACHE:-~/.cache/gaffer-agents}`. Each agent gets its own npm
// prefix; `<cache>/bin` links every program under the name gaffer's presets start it by.
//
//   node scripts/agents-install.ts [claude|codex|gemini|opencode ...]
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type RealAgent = "claude" | "codex" | "gemini" | "opencode";

interface AgentPackages {
  /** Exact versions, as npm installs them. */
  packages: Record<string, string>;
  /** Program name in `<cache>/bin` → its path inside the agent's prefix (a glob `*` picks the only match). */
  bins: Record<string, string>;
}

/**
 * What each agent needs. Claude's CLI is the native binary the Claude Agent SDK ships as an optional
 * dependency (the SDK the ACP adapter uses): it comes from the registry, no post-install download.
 */
export const AGENT_PACKAGES: Record<RealAgent, AgentPackages> = {
  claude: {
    packages: { "@agentclientprotocol/claude-agent-acp": "0.100.0" },
    bins: {
      "claude-agent-acp": "node_modules/.bin/claude-agent-acp",
      claude: "node_modules/@anthropic-ai/claude-agent-sdk-linux-*/claude",
    },
  },
  codex: {
    packages: { "@agentclientprotocol/codex-acp": "2.6.0", "@openai/codex": "0.166.0" },
    bins: { "codex-acp": "node_modules/.bin/codex-acp", codex: "node_modules/.bin/codex" },
  },
  gemini: {
    packages: { "@google/gemini-cli": "0.61.0" },
    bins: { gemini: "node_modules/.bin/gemini" },
  },
  opencode: {
    packages: { "opencode-ai": "1.18.33" },
    bins: { opencode: "node_modules/opencode-linux-x64/bin/opencode" },
  },
};

export const REAL_AGENTS = Object.keys(AGENT_PACKAGES) as RealAgent[];

export function agentsCache(): string {
  return resolve(process.env.GAFFER_AGENTS_CACHE ?? join(homedir(), ".cache", "gaffer-agents"));
}

/** `<cache>/bin`: put it first on PATH (with a Node ≥ 22) to start the installed agents. */
export function agentsBin(): string {
  return join(agentsCache(), "bin");
}

/** The version an agent's prefix holds of its first package, or undefined when it is not installed. */
export function installedVersion(agent: RealAgent): string | undefined {
  const [name] = Object.keys(AGENT_PACKAGES[agent].packages) as [string];
  const manifest = join(agentsCache(), agent, "node_modules", name, "package.json");
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** Whether every program of the agent is installed at the pinned version and linked. */
export function isInstalled(agent: RealAgent): boolean {
  const spec = AGENT_PACKAGES[agent];
  const [name] = Object.keys(spec.packages) as [string];
  return (
    installedVersion(agent) === spec.packages[name] &&
    Object.keys(spec.bins).every((bin) => existsSync(join(agentsBin(), bin)))
  );
}

/** Installs one agent's packages into `<cache>/<agent>` (npm run on this Node) and links its programs. */
export function installAgent(agent: RealAgent): void {
  const spec = AGENT_PACKAGES[agent];
  const prefix = join(agentsCache(), agent);
  if (!isInstalled(agent)) {
    mkdirSync(prefix, { recursive: true });
    const manifest = { name: `gaffer-agents-${agent}`, private: true, dependencies: spec.packages };
    writeFileSync(join(prefix, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    // npm's engine checks and optional dependencies follow the Node that runs it: this one (≥ 22).
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
    execFileSync(
      "npm",
      ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", "--prefix", prefix],
      { stdio: "inherit", env: { ...process.env, PATH: path } },
    );
  }
  mkdirSync(agentsBin(), { recursive: true });
  for (const [bin, target] of Object.entries(spec.bins)) {
    const link = join(agentsBin(), bin);
    rmSync(link, { force: true });
    symlinkSync(resolveGlob(prefix, target), link);
  }
}

/** A path under `dir` in which one directory name may end with `*` (a prefix match). */
function resolveGlob(dir: string, pattern: string): string {
  const parts = pattern.split("/");
  const star = parts.findIndex((part) => part.endsWith("*"));
  if (star === -1) return join(dir, pattern);
  const parent = join(dir, ...parts.slice(0, star));
  const stem = (parts[star] as string).slice(0, -1);
  const match = existsSync(parent) ? readdirSync(parent).find((name) => name.startsWith(stem)) : undefined;
  if (match === undefined) throw new Error(`no ${pattern} in ${dir}: was the install for this platform?`);
  return join(parent, match, ...parts.slice(star + 1));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(REAL_AGENTS as string[]).includes(name));
  if (unknown.length) {
    console.error(`unknown agent: ${unknown.join(", ")} (known: ${REAL_AGENTS.join(", ")})`);
    process.exit(2);
  }
  for (const agent of wanted.length ? (wanted as RealAgent[]) : REAL_AGENTS) {
    const started = Date.now();
    installAgent(agent);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${agent}: ${installedVersion(agent)} in ${join(agentsCache(), agent)} (${seconds} s)`);
  }
  console.log(`programs: ${agentsBin()}`);
}
