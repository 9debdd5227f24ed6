import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as acp from "@agentclientprotocol/sdk";
import { type AccessContext, deniedAccess, type Place } from "../../src/agents/acp/tool-access.ts";

/** A workspace at /ws whose `link` leads outside and whose `dangling` resolves nowhere. */
const CONTEXT: AccessContext = {
  hosts: ["registry.npmjs.org", "*.example.com", "api.internal:8443"],
  place: async (path: string): Promise<Place> => {
    if (path.startsWith("/ws/link") || !path.startsWith("/ws")) return "outside";
    if (path.startsWith("/ws/dangling")) return "unresolvable";
    return path.startsWith("/ws/.git") ? "git-dir" : "inside";
  },
};

type Case = [what: string, toolCall: Partial<acp.ToolCallUpdate>, denied: RegExp | undefined];

const at = (...paths: string[]) => paths.map((path) => ({ path }));

const CASES: Case[] = [
  ["an edit inside", { kind: "edit", locations: at("/ws/src/a.js") }, undefined],
  [
    "an edit outside",
    { kind: "edit", locations: at("/etc/passwd") },
    /^edit of \/etc\/passwd: outside the workspace$/,
  ],
  ["an edit through a symlink out", { kind: "edit", locations: at("/ws/link/x") }, /outside the workspace/],
  ["a delete of a dangling link", { kind: "delete", locations: at("/ws/dangling") }, /cannot be resolved/],
  [
    "a move out, named in rawInput",
    { kind: "move", rawInput: { source: "/ws/a", destination: "/tmp/a" } },
    /move of \/tmp\/a/,
  ],
  [
    "an edit of .git/config",
    { kind: "edit", locations: at("/ws/.git/config") },
    /^edit of \/ws\/.git\/config: inside .git$/,
  ],
  ["a read of .git/HEAD", { kind: "read", locations: at("/ws/.git/HEAD") }, undefined],
  ["a read outside", { kind: "read", locations: at("/home/u/notes") }, /^read of \/home\/u\/notes: outside/],
  ["a search outside, in rawInput", { kind: "search", rawInput: { path: "/" } }, /outside the workspace/],
  ["a request with no kind, outside", { locations: at("/etc/hosts") }, /^other of \/etc\/hosts/],
  [
    "an execute reading ~/.ssh",
    { kind: "execute", rawInput: { command: "cp ~/.ssh/id_rsa /ws/k" } },
    /\(~\/\.ssh\)/,
  ],
  ["an execute reading $HOME/.ssh", { kind: "execute", title: "cat $HOME/.ssh/config" }, /\(~\/\.ssh\)/],
  ["an execute reading a key by name", { kind: "execute", title: "cat /keys/id_ed25519" }, /SSH private key/],
  ["an execute reading the project's .env", { kind: "execute", title: "cat ../../.env" }, /\.env file/],
  ["an execute reading .env.local", { kind: "execute", title: "grep KEY .env.local" }, /\.env file/],
  ["an execute reading a process environment", { kind: "execute", title: "cat /proc/1/environ" }, /environ/],
  ["an execute reading .netrc", { kind: "execute", title: "cat ~/.netrc" }, /netrc/],
  ["an execute in a cwd outside", { kind: "execute", rawInput: { command: "ls", cwd: "/root" } }, /outside/],
  ["an execute reading a public key", { kind: "execute", title: "cat ~/keys/id_rsa.pub" }, undefined],
  ["an execute loading .envrc", { kind: "execute", title: "direnv allow .envrc" }, undefined],
  ["an execute redirecting from ~/.ssh", { kind: "execute", title: "wc<~/.ssh/id_rsa" }, /\(~\/\.ssh\)/],
  ["an execute copying .env.example", { kind: "execute", title: "cp .env.example config.txt" }, undefined],
  ["an execute using process.env", { kind: "execute", title: "node -e 'process.env.HOME'" }, undefined],
  ["a plain test run", { kind: "execute", title: "npm test" }, undefined],
  [
    "a fetch of an allowed host",
    { kind: "fetch", rawInput: { url: "https://registry.npmjs.org/x" } },
    undefined,
  ],
  [
    "a fetch of an allowed subdomain",
    { kind: "fetch", title: "fetch https://api.example.com/v1" },
    undefined,
  ],
  [
    "a fetch elsewhere",
    { kind: "fetch", rawInput: { url: "https://evil.test/?k=1" } },
    /^fetch of evil\.test: not in \[sandbox\] hosts$/,
  ],
  [
    "a fetch on a port not allowed",
    { kind: "fetch", rawInput: { url: "http://api.internal:9000/" } },
    /not in/,
  ],
  ["a fetch with no URL", { kind: "fetch", title: "look something up" }, /without a URL/],
  ["a think", { kind: "think", title: "plan the change" }, undefined],
];

describe("agents/acp/tool-access", () => {
  for (const [what, partial, denied] of CASES) {
    it(`${what}: ${denied ? "rejected" : "allowed"}`, async () => {
      const toolCall: acp.ToolCallUpdate = { toolCallId: "1", ...partial };
      const command =
        typeof partial.rawInput === "object" && partial.rawInput !== null && "command" in partial.rawInput
          ? String(partial.rawInput.command)
          : (partial.title ?? "");
      const reason = await deniedAccess(toolCall, command, CONTEXT);
      if (denied === undefined) assert.equal(reason, undefined);
      else assert.match(reason ?? "(allowed)", denied);
    });
  }
});
