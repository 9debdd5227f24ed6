import { posix } from "node:path";
import { isSecretFileName } from "../../config/index.ts";
import type { KnownSecret } from "./types.ts";

/** Shorter values would match by chance (and are not worth much as secrets). */
const MIN_SECRET = 8;
/** The environment's own words for a credential. */
const SECRET_NAME = /TOKEN|SECRET|PASSW|PWD|CREDENTIAL|AUTH|KEY|PRIVATE/i;
const COMMON = new Set(["development", "production", "localhost", "undefined", "changeme", "password"]);
const PLACEHOLDER = /^(<.*>|\$\{.*\}|\$\(.*\)|your[-_ ].*|.*example.*|.*placeholder.*|(.)\2*)$/i;
/** A path, `~/…`, `./…`, `C:\…`, or a PATH-like list of them. */
const PATH_LIKE = /^(\/|~\/|\.\.?\/|[A-Za-z]:\\)|^[^\s:]*\/[^\s:]*(:[^\s:]*\/[^\s:]*)+$/;
const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\/\S*$/i;
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:([^/@\s]+)@/i;

/**
 * Variables whose value looks secret: a credential's name (TOKEN, KEY, SECRET, PASSWORD,
 * CREDENTIAL, AUTH…), or a long high-entropy value. Paths, plain URLs, common words and short
 * values are not; a URL's password is.
 */
export function secretsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  sourceOf: (name: string) => string = (name) => `environment variable ${name}`,
): KnownSecret[] {
  return Object.entries(env).flatMap(([name, value]) => {
    const secret = value === undefined ? undefined : secretValue(name, value);
    return secret ? [{ value: secret, source: sourceOf(name) }] : [];
  });
}

/** A value declared to be a secret (an agent's API key, a vault secret), unless it is too short to be one. */
export function declaredSecret(value: string | undefined, source: string): KnownSecret[] {
  const trimmed = unquoted(value ?? "");
  return trimmed.length >= MIN_SECRET && !COMMON.has(trimmed.toLowerCase())
    ? [{ value: trimmed, source }]
    : [];
}

/**
 * The secrets in a file's text: `KEY=value` and `key: value` lines (.env, .npmrc, YAML), JSON's
 * `"key": "value"` pairs, netrc passwords, and for a key or credentials file (see
 * isSecretFileName) its whole content.
 */
export function secretsInFile(path: string, content: string): KnownSecret[] {
  const secrets: KnownSecret[] = [];
  for (const line of content.split(/\r?\n/)) {
    const assignment = parseAssignment(line);
    const secret = assignment && secretValue(assignment.name, assignment.value);
    if (secret) secrets.push({ value: secret, source: `${path} (${assignment.name})` });
  }
  for (const match of content.matchAll(/"([\w.-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) {
    const secret = secretValue(match[1] ?? "", match[2] ?? "");
    if (secret) secrets.push({ value: secret, source: `${path} (${match[1]})` });
  }
  for (const match of content.matchAll(/(?:^|\s)password\s+(\S+)/g)) {
    secrets.push(...declaredSecret(match[1], `${path} (password)`));
  }
  // A dotenv file's values are each known already; a key or credentials file is one secret whole.
  if (isSecretFileName(path) && !/\.env/.test(posix.basename(path))) {
    secrets.push(...declaredSecret(content.trim(), path));
  }
  return secrets;
}

/** Every `KEY=value` of a file whose values are all secrets by declaration (the vault's secrets file). */
export function declaredSecretsInFile(path: string, content: string): KnownSecret[] {
  return content.split(/\r?\n/).flatMap((line) => {
    const assignment = parseAssignment(line);
    return assignment ? declaredSecret(assignment.value, `${path} (${assignment.name})`) : [];
  });
}

/** Whether a value looks secret; returns the secret part (a URL's password) or undefined. */
function secretValue(name: string, raw: string): string | undefined {
  const value = unquoted(raw);
  const password = URL_PASSWORD.exec(value)?.[1];
  if (password) return password.length >= MIN_SECRET ? password : undefined;
  if (value.length < MIN_SECRET || URL_VALUE.test(value) || PATH_LIKE.test(value)) return undefined;
  // Structured data (JSON settings), not a credential.
  if (/^[{[]/.test(value)) return undefined;
  if (COMMON.has(value.toLowerCase()) || PLACEHOLDER.test(value)) return undefined;
  if (SECRET_NAME.test(name)) return value;
  return isRandomLooking(value) ? value : undefined;
}

/**
 * 16 characters or more, letters and digits, no spaces, and spread over many symbols. Bare hex
 * and UUIDs are identifiers (a commit, a container, an invocation), not credentials, unless a
 * name says so.
 */
function isRandomLooking(value: string): boolean {
  return (
    value.length >= 16 &&
    !/^[0-9a-f]+$/i.test(value) &&
    !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(value) &&
    !/\s/.test(value) &&
    /[A-Za-z]/.test(value) &&
    /[0-9]/.test(value) &&
    entropyPerChar(value) >= 3.5
  );
}

/** Shannon entropy of the characters, in bits per character. */
function entropyPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...value].length;
  let bits = 0;
  for (const count of counts.values()) bits -= (count / length) * Math.log2(count / length);
  return bits;
}

/** `KEY=value`, `export KEY=value`, `key: value` (JSON's quoted pairs are read apart); comments are not. */
function parseAssignment(line: string): { name: string; value: string } | undefined {
  const trimmed = line.trim();
  if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) return undefined;
  const match =
    /^(?:export\s+)?([^=\s"]+?)\s*=\s*(.*)$/.exec(trimmed) ?? /^([\w.-]+)\s*:\s+(.*)$/.exec(trimmed);
  if (!match) return undefined;
  const name = match[1] ?? "";
  const value = match[2] ?? "";
  return { name, value: /^["']/.test(value) ? value : value.replace(/\s+#.*$/, "") };
}

function unquoted(value: string): string {
  const trimmed = value.trim();
  return /^(["'`]).*\1$/s.test(trimmed) && trimmed.length >= 2 ? trimmed.slice(1, -1) : trimmed;
}
