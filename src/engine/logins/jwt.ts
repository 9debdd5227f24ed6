/** The claims of a JWT, unverified (the CLIs read their own tokens so); undefined if it is none. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token shaped like a JWT, with these claims and no signature worth anything: what a sandbox's
 * copy of a login holds where a CLI parses its tokens. It authorises nothing anywhere.
 */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.gaffer-placeholder`;
}
