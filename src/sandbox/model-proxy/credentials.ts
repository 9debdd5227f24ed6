import type { IncomingHttpHeaders } from "node:http";
import type { CredentialHeader, ModelCredential } from "../types.ts";

/** Headers that carry a credential to a model API, whoever set them. */
const CREDENTIAL_HEADERS = ["authorization", "x-api-key", "x-goog-api-key", "api-key", "proxy-authorization"];
/** Query parameters that do (Gemini's `?key=`, Azure's `api-key`). */
const CREDENTIAL_PARAMS = ["key", "api_key", "api-key", "apikey", "access_token"];

/** What the sandbox holds in a credential's variable: recognised here, worth nothing upstream. */
export function placeholderFor(variable: string): string {
  return `gaffer-placeholder-${variable}`;
}

/**
 * The agent's request as it goes upstream: every credential it sent — headers and query
 * parameters — removed, and the real one added. Where the agent put a placeholder in a header,
 * the credential of that variable takes its place, in that header (so an agent using an OAuth
 * token keeps its Bearer form); otherwise the first credential goes in its own header.
 */
export function withCredentials(
  headers: IncomingHttpHeaders,
  path: string,
  credentials: readonly ModelCredential[],
): { headers: IncomingHttpHeaders; path: string } {
  const sent = new Map<string, string>();
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of CREDENTIAL_HEADERS) {
    const value = out[name];
    if (typeof value === "string") sent.set(name, value);
    delete out[name];
  }
  const { path: cleanPath, values } = withoutCredentialParams(path);
  const chosen = chooseCredential(sent, values, credentials);
  if (chosen) out[chosen.header] = headerValue(chosen.header, chosen.credential.value);
  return { headers: out, path: cleanPath };
}

function chooseCredential(
  sent: ReadonlyMap<string, string>,
  params: readonly string[],
  credentials: readonly ModelCredential[],
): { header: CredentialHeader; credential: ModelCredential } | undefined {
  for (const [header, value] of sent) {
    const token = value.replace(/^bearer\s+/i, "");
    const credential = credentials.find((c) => token === placeholderFor(c.variable));
    if (credential && isCredentialHeader(header)) return { header, credential };
  }
  const named = credentials.find((c) => params.includes(placeholderFor(c.variable)));
  const credential = named ?? credentials[0];
  return credential && { header: credential.header, credential };
}

function isCredentialHeader(name: string): name is CredentialHeader {
  return name === "authorization" || name === "x-api-key" || name === "x-goog-api-key";
}

function headerValue(header: CredentialHeader, value: string): string {
  return header === "authorization" ? `Bearer ${value}` : value;
}

/** The path without credential parameters, and their values. */
function withoutCredentialParams(path: string): { path: string; values: string[] } {
  const query = path.indexOf("?");
  if (query < 0) return { path, values: [] };
  const params = new URLSearchParams(path.slice(query + 1));
  const values: string[] = [];
  for (const name of [...params.keys()]) {
    if (!CREDENTIAL_PARAMS.includes(name.toLowerCase())) continue;
    values.push(...params.getAll(name));
    params.delete(name);
  }
  if (values.length === 0) return { path, values };
  const rest = params.toString();
  return { path: path.slice(0, query) + (rest ? `?${rest}` : ""), values };
}
