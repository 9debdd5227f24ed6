import { join } from "node:path";
import type { TestContext } from "node:test";
import { parseConfig, type TrackerConfig } from "../../src/config/index.ts";
import { type ClientTuning, openTracker, type Tracker } from "../../src/intake/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import {
  type FakeForge,
  type ForgeKind,
  type Repo,
  startFakeForge,
  type TokenGrant,
} from "../../src/demo/forge/index.ts";
import { tempDir } from "./tmp.ts";

/** The variable each kind's tests keep the token in. */
export const TOKEN_ENV = { github: "GITHUB_TOKEN", gitea: "GITEA_TOKEN" } as const;

/** A grant with everything gaffer needs, per kind. */
export function fullGrant(kind: ForgeKind): TokenGrant {
  return kind === "github"
    ? { kind: "classic", scopes: ["repo", "read:org"] }
    : { kind: "gitea", scopes: ["write:issue", "read:repository", "read:user"] };
}

export interface ForgeSetup {
  forge: FakeForge;
  repo: Repo;
  /** `gaffer-bot`'s token: a collaborator with write access. */
  token: string;
  config: TrackerConfig;
  store: Store;
  /** Retries without the real waits; every throttle line is kept in `throttles`. */
  tuning: ClientTuning;
  throttles: string[];
  /** A tracker as gaffer-bot, or with another token in the variable. */
  tracker(token?: string): Tracker;
}

/**
 * A fake forge of `kind` with the repository acme/app (gaffer-bot and rival may write to it), the
 * `[tracker]` for it parsed from real gaffer.toml text, and a store.
 */
export async function forgeSetup(t: TestContext, kind: ForgeKind, extraToml = ""): Promise<ForgeSetup> {
  const dir = tempDir(t);
  const forge = await startFakeForge(kind, dir);
  t.after(() => forge.close());
  const repo = forge.createRepo("acme/app", { private: true });
  forge.addCollaborator(repo, "gaffer-bot", "write");
  forge.addCollaborator(repo, "rival", "write");
  const token = forge.addToken("gaffer-bot", fullGrant(kind));
  const toml = `[tracker]\nkind = "${kind}"\nurl = "${forge.url}"\nrepo = "acme/app"\n${extraToml}`;
  const config = parseConfig(toml, join(dir, "gaffer.toml"), dir).tracker as TrackerConfig;
  const store = await openStore(join(dir, "gaffer.db"));
  t.after(() => store.close());
  const throttles: string[] = [];
  const tuning: ClientTuning = {
    retries: 3,
    retryBaseMs: 5,
    maxThrottleWaitMs: 5000,
    onThrottle: (line) => throttles.push(line),
  };
  return {
    forge,
    repo,
    token,
    config,
    store,
    tuning,
    throttles,
    tracker: (value = token) => openTracker(config, { [TOKEN_ENV[kind]]: value }, tuning),
  };
}
