import type * as acp from "@agentclientprotocol/sdk";
import { hostAllowed } from "../../sandbox/index.ts";

/** Where a path lands once resolved through every symlink: `unresolvable` counts as outside. */
export type Place = "inside" | "git-dir" | "outside" | "unresolvable";

export interface AccessContext {
  /** Resolves a path the agent named against the workspace (see WorkspaceFs.place). */
  place(path: string): Promise<Place>;
  /** The hosts a `fetch` may reach: the sandbox's network allowlist. */
  hosts: readonly string[];
}

/** Kinds that only look: they may look inside `.git`, never outside the workspace. */
const LOOKING_KINDS: ReadonlySet<string> = new Set(["read", "search", "think"]);

/** rawInput fields through which agents name the files a tool call touches. */
const PATH_FIELDS = [
  "path",
  "file_path",
  "filePath",
  "notebook_path",
  "paths",
  "source",
  "destination",
  "cwd",
] as const;

/**
 * Places a command must not read: the user's keys and credentials, the project's `.env`, any
 * process's environment. Each matches a path component, wherever the path starts.
 */
const SECRET_LOCATIONS: readonly { name: string; pattern: RegExp }[] = [
  { name: "~/.ssh", pattern: component(String.raw`\.ssh`) },
  { name: "an SSH private key", pattern: component(String.raw`id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?`) },
  { name: "~/.gnupg", pattern: component(String.raw`\.gnupg`) },
  { name: "~/.aws", pattern: component(String.raw`\.aws`) },
  { name: "~/.kube", pattern: component(String.raw`\.kube`) },
  { name: "~/.docker", pattern: component(String.raw`\.docker`) },
  { name: "~/.config/gh", pattern: component(String.raw`\.config/gh`) },
  { name: ".netrc", pattern: component(String.raw`[._]netrc`) },
  { name: ".npmrc", pattern: component(String.raw`\.npmrc`) },
  { name: ".git-credentials", pattern: component(String.raw`\.git-credentials`) },
  {
    name: "a .env file",
    pattern: component(String.raw`\.env(?!\.(?:example|sample|template|dist)\b)(?:\.[\w-]+)?`),
  },
  { name: "/proc/*/environ", pattern: /\/proc\/[^\s/]+\/environ/ },
];

/**
 * Why a permission request may not be granted, judged by what its tool call touches rather than
 * by its title: every location (and path-like rawInput field) must resolve inside the workspace,
 * and only looking kinds may reach into `.git`; a command must name no secret location; a fetch
 * must go to an allowlisted host. Undefined when nothing is in the way.
 */
export async function deniedAccess(
  toolCall: acp.ToolCallUpdate,
  command: string,
  context: AccessContext,
): Promise<string | undefined> {
  const kind = toolCall.kind ?? "other";
  for (const path of touchedPaths(toolCall)) {
    const place = await context.place(path);
    if (place === "outside" || place === "unresolvable") {
      return `${kind} of ${path}: ${place === "outside" ? "outside the workspace" : "cannot be resolved"}`;
    }
    if (place === "git-dir" && !LOOKING_KINDS.has(kind)) return `${kind} of ${path}: inside .git`;
  }
  const secret = SECRET_LOCATIONS.find((location) => location.pattern.test(command));
  if (secret) return `${kind} touches a secret location (${secret.name})`;
  return kind === "fetch" ? deniedFetch(toolCall, command, context.hosts) : undefined;
}

function deniedFetch(
  toolCall: acp.ToolCallUpdate,
  command: string,
  hosts: readonly string[],
): string | undefined {
  const url = fetchedUrl(toolCall.rawInput) ?? /\bhttps?:\/\/\S+/i.exec(command)?.[0];
  if (url === undefined) return "fetch without a URL to judge";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `fetch of an invalid URL: ${url}`;
  }
  const port = Number(parsed.port) || (parsed.protocol === "http:" ? 80 : 443);
  if (hostAllowed(hosts, parsed.hostname, port)) return undefined;
  return `fetch of ${parsed.host}: not in [sandbox] hosts`;
}

/** The files a tool call names: its ACP locations, and the usual path fields of its raw input. */
function touchedPaths(toolCall: acp.ToolCallUpdate): string[] {
  const paths = (toolCall.locations ?? []).map((location) => location.path);
  const input = toolCall.rawInput;
  if (typeof input !== "object" || input === null) return paths;
  for (const field of PATH_FIELDS) {
    const value: unknown = (input as Record<string, unknown>)[field];
    if (typeof value === "string" && value !== "") paths.push(value);
    if (Array.isArray(value))
      paths.push(...value.filter((v): v is string => typeof v === "string" && v !== ""));
  }
  return paths;
}

function fetchedUrl(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const { url } = input as Record<string, unknown>;
  return typeof url === "string" ? url : undefined;
}

/** A regex for `name` as a whole path component: not part of a longer name (`id_rsa.pub`, `.envrc`). */
function component(name: string): RegExp {
  return new RegExp(String.raw`(?:^|[^\w.-])${name}(?![\w.-])`);
}
