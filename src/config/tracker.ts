import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import type { AgentPreset } from "../agents/index.ts";
import { parseDuration } from "./duration.ts";
import type { trackerSchema } from "./tracker-schema.ts";

/**
 * `[tracker]`: the forge whose issues become items. GitHub (a token, or an App), or Gitea and
 * Forgejo (one API, v1). Labels follow a lifecycle whose names default to disinto's.
 */

/** disinto's labels (its lib/issue-lifecycle): what is ready, what ranks first, what holds an issue back. */
export const DISINTO_LABELS: LabelScheme = {
  ready: ["backlog"],
  priority: "priority",
  inProgress: "in-progress",
  blocked: "blocked",
  done: "done",
  skip: [
    "blocked",
    "underspecified",
    "bug-report",
    "in-triage",
    "rejected",
    "vision",
    "formula",
    "awaiting-live-verification",
    "prediction/unreviewed",
    "prediction/dismissed",
    "prediction/actioned",
  ],
};

export interface LabelScheme {
  /** An open issue with one of these (and none of `skip`) is ready for gaffer. */
  ready: string[];
  /** Ranks a ready issue above the rest (disinto's tier above plain backlog). */
  priority: string;
  /** Set when gaffer claims an issue, replacing the ready labels and `blocked`. */
  inProgress: string;
  /** Removed by a claim: a claimed issue is no longer blocked. */
  blocked: string;
  /** Added when gaffer merges the pull request and closes the issue. */
  done: string;
  /** Any of these keeps an issue out of gaffer's hands. */
  skip: string[];
}

export type TrackerAuth =
  | { kind: "token"; env: string }
  | { kind: "app"; appId: number; privateKeyFile: string; installationId: number | undefined };

export interface TrackerConfig {
  kind: "github" | "gitea";
  /** What the user named: Forgejo is served by the Gitea tracker. */
  flavour: "github" | "gitea" | "forgejo";
  /** GitHub: the API root. Gitea/Forgejo: the server's root (the API is under /api/v1). */
  url: string;
  /** `owner/name`. */
  repo: string;
  auth: TrackerAuth;
  /** The login claims assign; default the token's own user. */
  assignee: string | undefined;
  labels: LabelScheme;
  /** How often `gaffer up` reads the forge when no webhook says something changed. */
  pollMs: number;
  /** The webhook receiver `gaffer up` serves; undefined: none, polling alone. */
  webhook: WebhookConfig | undefined;
  /** on-proposal: a run's proposal is published (a vault action) as soon as it is made; manual: `gaffer publish`. */
  publish: "manual" | "on-proposal";
}

export interface WebhookConfig {
  host: string;
  port: number;
  /** The variable holding the secret the forge signs deliveries with (never its value). */
  secretEnv: string;
}

type RawTracker = z.output<typeof trackerSchema>;

/** A rule broken after the schema passed: the key it is about, what is wrong, and the fix. */
export type Problem = { path: string[]; message: string; hint: string };

/**
 * The rules the schema cannot say. A token's variable never enters a sandbox: listing it in
 * `[sandbox] env` or an agent's `pass_env` is refused.
 */
export function trackerProblem(
  raw: RawTracker,
  sandboxEnv: string[],
  agents: ReadonlyMap<string, AgentPreset>,
): Problem | undefined {
  const at = (key: string) => ["tracker", key];
  if (raw.kind !== "github" && raw.url === undefined) {
    return {
      path: at("kind"),
      message: `[tracker] ${raw.kind} needs url`,
      hint: 'add url = "https://your-forge.example" to [tracker]',
    };
  }
  if (raw.app_id !== undefined) {
    if (raw.kind !== "github")
      return {
        path: at("app_id"),
        message: "[tracker] app_id is for GitHub Apps",
        hint: "use token_env with Gitea and Forgejo",
      };
    if (raw.token_env !== undefined)
      return {
        path: at("token_env"),
        message: "[tracker] has both token_env and app_id",
        hint: "keep one: a token, or a GitHub App",
      };
    if (raw.private_key_file === undefined)
      return {
        path: at("app_id"),
        message: "[tracker] app_id needs private_key_file",
        hint: 'add private_key_file = "path/to/app.pem"',
      };
    if (raw.assignee === undefined) {
      return {
        path: at("app_id"),
        message: "[tracker] app_id needs assignee: a GitHub App cannot be assigned to an issue",
        hint: 'add assignee = "<the user gaffer\'s claims assign>"',
      };
    }
  }
  const secretEnv = raw.webhook?.secret_env;
  if (secretEnv !== undefined && sandboxEnv.includes(secretEnv)) {
    return {
      path: ["sandbox", "env"],
      message: `[sandbox] env lists ${secretEnv}, the webhook's secret: it would enter the sandbox`,
      hint: `remove ${secretEnv} from [sandbox] env`,
    };
  }
  const env = tokenEnv(raw);
  if (env !== undefined && sandboxEnv.includes(env)) {
    return {
      path: ["sandbox", "env"],
      message: `[sandbox] env lists ${env}, the tracker's token: it would enter the sandbox`,
      hint: `remove ${env} from [sandbox] env`,
    };
  }
  for (const preset of agents.values()) {
    if (env !== undefined && preset.driver !== "scripted" && preset.passEnv.includes(env)) {
      return {
        path: ["agents", preset.name, "pass_env"],
        message: `[agents.${preset.name}] pass_env lists ${env}, the tracker's token: the agent would hold it`,
        hint: `remove ${env} from pass_env`,
      };
    }
  }
  return undefined;
}

export function compileTracker(raw: RawTracker, root: string): TrackerConfig {
  const kind = raw.kind === "github" ? "github" : "gitea";
  const keyFile = raw.private_key_file?.replace(/^~(?=\/)/, homedir());
  const labels = raw.labels;
  return {
    kind,
    flavour: raw.kind,
    url: (raw.url ?? "https://api.github.com").replace(/\/+$/, ""),
    repo: raw.repo,
    auth:
      raw.app_id !== undefined && keyFile !== undefined
        ? {
            kind: "app",
            appId: raw.app_id,
            privateKeyFile: isAbsolute(keyFile) ? keyFile : resolve(root, keyFile),
            installationId: raw.installation_id,
          }
        : { kind: "token", env: tokenEnv(raw) as string },
    assignee: raw.assignee,
    publish: raw.publish,
    pollMs: parseDuration(raw.poll) as number,
    webhook: raw.webhook && {
      host: raw.webhook.listen.slice(0, raw.webhook.listen.lastIndexOf(":")),
      port: Number(raw.webhook.listen.slice(raw.webhook.listen.lastIndexOf(":") + 1)),
      secretEnv: raw.webhook.secret_env,
    },
    labels: {
      ready: labels.ready ?? DISINTO_LABELS.ready,
      priority: labels.priority ?? DISINTO_LABELS.priority,
      inProgress: labels.in_progress ?? DISINTO_LABELS.inProgress,
      blocked: labels.blocked ?? DISINTO_LABELS.blocked,
      done: labels.done ?? DISINTO_LABELS.done,
      skip: labels.skip ?? DISINTO_LABELS.skip,
    },
  };
}

function tokenEnv(raw: RawTracker): string | undefined {
  if (raw.app_id !== undefined) return undefined;
  return raw.token_env ?? `${raw.kind.toUpperCase()}_TOKEN`;
}
