// Run in a session of its own. Lowers its priority as a worker does (argv: worker nice, agent
// nice, a scratch dir), starts a command, a git command, a wrapped command, a wrapped check of
// gaffer's own (placed as a command) and an agent through gaffer's own spawns, and prints the
// scheduling group each one is in.
import { readFileSync } from "node:fs";
import { spawnAgentProcess } from "../../src/agents/acp/transport.ts";
import { lowerPriority, runProcess } from "../../src/util/index.ts";
import { projectGitResult } from "../../src/workspace/git.ts";

const [workerNice, agentNice, scratch = "/tmp"] = process.argv.slice(2);
const asIs = (argv: readonly string[]) => ({ argv: [...argv], env: process.env });
const groupOf = (pid: number | string) =>
  /nice -?\d+/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"))?.[0] ?? "unknown";

lowerPriority(Number(workerNice), Number(agentNice));
const stop = new AbortController();
const running = [
  runProcess("sleep", ["30"], { cwd: scratch, signal: stop.signal }),
  projectGitResult(scratch, ["-c", "alias.nap=!sleep 31", "nap"], { signal: stop.signal }),
  runProcess("sleep", ["32"], { cwd: scratch, signal: stop.signal, wrap: asIs }),
  runProcess("sleep", ["34"], { cwd: scratch, signal: stop.signal, wrap: asIs, placement: "command" }),
];
const agent = await spawnAgentProcess(["sleep", "33"], { cwd: scratch, env: process.env, wrap: asIs });
const names: Record<string, string> = {
  "sleep 30": "command",
  git: "git",
  "sleep 32": "sandboxed",
  "sleep 33": "agent",
  "sleep 34": "check",
};
const groups: Record<string, string> = { self: groupOf("self") };
const children = readFileSync(`/proc/self/task/${process.pid}/children`, "utf8").trim().split(" ");
for (const pid of children) {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const name = names[argv.join(" ")] ?? names[argv[0] ?? ""];
  if (name) groups[name] = groupOf(pid);
}
stop.abort();
await agent.stop();
await Promise.all(running);
process.stdout.write(JSON.stringify(groups));
