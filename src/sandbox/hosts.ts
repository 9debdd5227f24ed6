/**
 * The network allowlist: entries are `host`, `host:port`, `*.domain` or `*.domain:port`
 * (IPv6 literals in brackets: `[::1]:8080`). `*.example.com` matches the subdomains of
 * example.com, not example.com itself. Names compare case-insensitively, without a trailing dot.
 */
export interface HostPort {
  host: string;
  port: number | undefined;
}

/** Whether a request for `host:port` may pass. Decided on the name alone: nothing is resolved. */
export function hostAllowed(allowlist: readonly string[], host: string, port: number): boolean {
  const wanted = normalizeHost(host);
  return allowlist.some((entry) => {
    const allowed = parseAuthority(entry);
    if (allowed === undefined || (allowed.port !== undefined && allowed.port !== port)) return false;
    if (!allowed.host.startsWith("*.")) return allowed.host === wanted;
    const suffix = allowed.host.slice(1);
    return wanted.endsWith(suffix) && wanted.length > suffix.length;
  });
}

/** Splits `host`, `host:port` or `[v6]:port`; undefined when the port is not a number. */
export function parseAuthority(authority: string): HostPort | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  if (bracketed) return withPort(bracketed[1] ?? "", bracketed[2]);
  const colons = authority.split(":").length - 1;
  if (colons !== 1) return withPort(authority, undefined);
  const [host = "", port] = authority.split(":");
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): HostPort | undefined {
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return undefined;
  const normalized = normalizeHost(host);
  if (normalized === "") return undefined;
  return { host: normalized, port: port === undefined ? undefined : Number(port) };
}

function normalizeHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();
}

/**
 * The allowlist's loopback services with a port (`127.0.0.1:8080`, `localhost:3000`, `[::1]:9000`):
 * inside the sandbox, loopback is its own, so these are forwarded to the host's at the same address.
 */
export function loopbackForwards(allowlist: readonly string[]): string[] {
  const forwards = allowlist.flatMap((entry) => {
    const target = parseAuthority(entry);
    if (target?.port === undefined || !isLoopback(target.host)) return [];
    return [target.host.includes(":") ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`];
  });
  return [...new Set(forwards)];
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
