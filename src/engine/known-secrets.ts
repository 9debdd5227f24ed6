import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Project } from "./project.ts";
import {
  declaredSecret,
  declaredSecretsInFile,
  type KnownSecret,
  secretScanner,
  secretsFromEnv,
  secretsInFile,
} from "../guard/index.ts";

/** Larger files are not credentials files; their first MiB is still read. */
const MAX_FILE_BYTES = 1 << 20;
const DOTENV = /^\.env(\..+)?$/;

/**
 * Every value gaffer knows to be secret for a project: the files `[workspace] copy` hands to the
 * agent, the project's `.env*` files, credentials in its git remote URLs, gaffer's own
 * environment's credentials, the variables agents are given (`pass_env`, an ACP preset's `env`),
 * the vault's secrets file, the tracker's token or App key, and its webhook's secret.
 */
export async function knownSecrets(
  project: Project,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KnownSecret[]> {
  const { config, root } = project;
  const secrets: KnownSecret[] = [];
  const dotenvs = (await readdir(root).catch(() => [])).filter((name) => DOTENV.test(name));
  for (const path of [...new Set([...config.workspace.copy, ...dotenvs, join(".git", "config")])]) {
    const text = await readCredentialsFile(resolve(root, path));
    if (text !== undefined) secrets.push(...secretsInFile(path, text));
  }
  secrets.push(...secretsFromEnv(env));
  for (const preset of config.agents.values()) {
    if (preset.driver === "scripted") continue;
    for (const name of preset.passEnv) {
      secrets.push(
        ...declaredSecret(env[name], `environment variable ${name} ([agents.${preset.name}] pass_env)`),
      );
    }
    if (preset.driver === "acp") {
      secrets.push(...secretsFromEnv(preset.env, (name) => `[agents.${preset.name}] env ${name}`));
    }
  }
  const auth = config.tracker?.auth;
  if (auth?.kind === "token")
    secrets.push(...declaredSecret(env[auth.env], `environment variable ${auth.env} ([tracker] token_env)`));
  if (auth?.kind === "app") {
    const key = await readCredentialsFile(auth.privateKeyFile);
    if (key !== undefined)
      secrets.push(...declaredSecret(key.trim(), `${auth.privateKeyFile} ([tracker] private_key_file)`));
  }
  const webhook = config.tracker?.webhook;
  if (webhook) {
    secrets.push(
      ...declaredSecret(
        env[webhook.secretEnv],
        `environment variable ${webhook.secretEnv} ([tracker.webhook] secret_env)`,
      ),
    );
  }
  const vaultFile = resolve(root, config.vault.secretsFile);
  const vaultText = await readCredentialsFile(vaultFile);
  if (vaultText !== undefined) secrets.push(...declaredSecretsInFile(shownFrom(root, vaultFile), vaultText));
  return secrets;
}

/**
 * A file's text as `[workspace] copy` sees it (a link is followed, as the copy follows it), but
 * only a regular file, opened without blocking (a FIFO), and at most MAX_FILE_BYTES of it.
 */
async function readCredentialsFile(path: string): Promise<string | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

function shownFrom(root: string, file: string): string {
  const inside = relative(root, file);
  return inside.startsWith("..") || isAbsolute(inside) ? file : inside;
}

/**
 * Replaces every secret gaffer knows for the project, and every well-known token format, with
 * `[redacted]`: for text from outside (a forge's issues, reviews, CI logs) before it is stored.
 */
export async function secretRedactor(project: Project): Promise<(text: string) => string> {
  return secretScanner(await knownSecrets(project)).redact;
}
