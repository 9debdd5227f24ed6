/**
 * Finding secrets in what a proposal would publish. Pure: the caller collects the texts (with
 * where each would be published) and the values it knows to be secret.
 *
 *   const known = [...secretsFromEnv(process.env), ...secretsInFile(".env", text)];
 *   const scanner = secretScanner(known);
 *   const findings = scanner.scan([{ place: { kind: "branch" }, text: branch }, …]);
 *   const safe = scanner.redact(reportText);
 *
 * A finding names its place and what it found (`the value of environment variable X`, `a GitHub
 * token`), never the value.
 */
export { declaredSecret, declaredSecretsInFile, secretsFromEnv, secretsInFile } from "./known.ts";
export { MAX_FINDINGS, redactStrings, type SecretScanner, secretScanner } from "./scan.ts";
export type { KnownSecret, Place, SecretEncoding, SecretFinding, TextAt } from "./types.ts";
