import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import type { ModelTraffic } from "../types.ts";
import { placeholderFor } from "./credentials.ts";

/** Where distributions keep the system's trusted roots, as one PEM file. */
const SYSTEM_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/ca-bundle.pem",
  "/etc/ssl/cert.pem",
];

/**
 * Makes a sandbox trust the run's authority, the way each runtime reads extra roots. Writes into
 * `dir` (seen inside as `mounted`) its certificate alone, for the variables that add to the
 * built-in roots (Node, Bun, Deno), and a bundle of the system's roots plus it, for those that
 * replace them (OpenSSL, Python, curl, git, Go, Rust), so hosts tunnelled untouched still verify.
 * Returns those variables.
 */
export function trustAuthority(dir: string, mounted: string, certificate: string): Record<string, string> {
  writeFileSync(join(dir, "ca.pem"), certificate, { mode: 0o444 });
  writeFileSync(join(dir, "ca-bundle.pem"), `${systemRoots().trimEnd()}\n${certificate}`, { mode: 0o444 });
  const ca = `${mounted}/ca.pem`;
  const bundle = `${mounted}/ca-bundle.pem`;
  return {
    NODE_EXTRA_CA_CERTS: ca,
    DENO_CERT: ca,
    SSL_CERT_FILE: bundle,
    REQUESTS_CA_BUNDLE: bundle,
    CURL_CA_BUNDLE: bundle,
    GIT_SSL_CAINFO: bundle,
    PIP_CERT: bundle,
    AWS_CA_BUNDLE: bundle,
  };
}

/**
 * What the sandbox holds in each key's variable instead of the key. A login's token is no variable
 * of gaffer's: the login itself says what the sandbox holds in its place.
 */
export function credentialPlaceholders(models: ModelTraffic): Record<string, string> {
  const variables = models.routes.flatMap((route) =>
    route.credentials.filter((c) => c.token === undefined).map((c) => c.variable),
  );
  return Object.fromEntries(variables.map((variable) => [variable, placeholderFor(variable)]));
}

function systemRoots(): string {
  const bundle = SYSTEM_BUNDLES.find((path) => existsSync(path));
  return bundle ? readFileSync(bundle, "utf8") : rootCertificates.join("\n");
}
