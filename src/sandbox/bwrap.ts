import { rmSync } from "node:fs";
import { userInfo } from "node:os";
import { extname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Bwrap, namespaceFlags, requireBwrap } from "./detect.ts";
import { confinedEnv } from "./env.ts";
import { type Mount, bind, mountArgs } from "./mounts.ts";
import { confinedCwd, real, requireDirs, resolvePolicy } from "./paths.ts";
import { loopbackForwards } from "./hosts.ts";
import { credentialPlaceholders, trustAuthority } from "./model-proxy/trust.ts";
import { type NetworkProxy, startProxy } from "./proxy.ts";
import { createRuntimeDir } from "./runtime-dir.ts";
import type { Sandbox, SandboxHooks, SandboxPolicy } from "./types.ts";

/** Where the proxy port listens inside the sandbox's own network namespace. */
const PROXY_PORT = 3128;

const FORWARDER_SOURCE = fileURLToPath(new URL(`./forwarder${extname(import.meta.url)}`, import.meta.url));
/** `.mts`/`.mjs` so Node treats it as an ES module wherever it is mounted. */
const FORWARDER_PATH = `/run/gaffer/forwarder${extname(FORWARDER_SOURCE) === ".ts" ? ".mts" : ".mjs"}`;
const FORWARDER_NODE = "/run/gaffer/node";
const RUNTIME_DIR = "/run/gaffer/runtime";
const PROXY_SOCKET = "proxy.sock";

/**
 * A bubblewrap sandbox. Every namespace is unshared (user, PID, network, IPC, UTS, cgroup),
 * capabilities are dropped, and nested user namespaces are refused where bwrap supports it.
 * The filesystem is the host's, read-only, except:
 * - the workspace is writable, but its `.git/config`, `hooks`, `info` and `objects/info` are
 *   read-only (commits still work: objects, refs, index and logs stay writable);
 * - `policy.writable` is writable, `policy.tmp` is mounted as /tmp, /run is an empty directory;
 * - HOME: the user's real home directories (gaffer's `$HOME`, the HOME of the environment given
 *   to `wrap`, the passwd home and /root) are hidden behind empty directories, and `policy.home`
 *   is bound at its own path and set as `$HOME` — so tools that remember absolute paths under
 *   HOME see the same paths inside and out;
 * - `policy.deny` is hidden (directories empty, files empty); `policy.readOnly`, the writable
 *   paths and the workspace survive a denied parent.
 * Network "none" leaves only a private loopback. Network "allow" keeps that and adds gaffer's
 * allowlisting proxy: a forwarder inside listens on 127.0.0.1:3128 and relays to the proxy's Unix
 * socket; HTTP(S)_PROXY point at it, and NO_PROXY keeps loopback (the agent's own servers) out of
 * it. Allowlisted loopback services of the host (`127.0.0.1:8080`) are forwarded at the same
 * address inside. With model hosts, the sandbox trusts the run's authority (its certificate alone
 * is mounted, in the variables each runtime reads) and holds placeholders in the credentials'
 * variables, whatever the environment passed in.
 * Throws a GafferError when bubblewrap does not work here (see detectSandbox).
 */
export function createBwrapSandbox(policy: SandboxPolicy, hooks: SandboxHooks = {}): Sandbox {
  const bwrap = requireBwrap();
  const paths = resolvePolicy(policy);
  const runtime = createRuntimeDir();
  const proxy =
    policy.network.mode === "allow"
      ? startProxy(join(runtime.dir, PROXY_SOCKET), policy.network, hooks)
      : undefined;
  const extra = proxy ? forwarderMounts(runtime.dir) : [];
  const networkEnv = proxy ? proxyEnv(proxy, policy, runtime.dir) : {};
  const forwarder = proxy
    ? forwarderCommand(policy.network.mode === "allow" ? policy.network.hosts : [])
    : [];
  const homes = realHomes();
  let closing: Promise<void> | undefined;
  return {
    kind: "bwrap",
    wrap(argv, options) {
      const base = options.env ?? process.env;
      requireDirs(paths);
      const cwd = confinedCwd(options.cwd, paths);
      const hiddenHomes = [...homes, ...absolute(base.HOME)].map(real);
      const mounts = mountArgs({ policy: paths, hiddenHomes, emptyFile: runtime.emptyFile, extra });
      return {
        argv: [...bwrapArgs(bwrap, mounts, cwd), ...forwarder, ...argv],
        env: confinedEnv(policy, base, { HOME: paths.home, TMPDIR: "/tmp", ...networkEnv }, options.extraEnv),
      };
    },
    close() {
      closing ??= (async () => {
        await proxy?.close();
        rmSync(runtime.dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function bwrapArgs(bwrap: Bwrap, mounts: string[], cwd: string): string[] {
  return [
    bwrap.path,
    ...namespaceFlags(bwrap),
    ...["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"],
    ...mounts,
    ...["--chdir", cwd, "--"],
  ];
}

const PROXY_URL = `http://127.0.0.1:${PROXY_PORT}`;
/** Loopback inside is the sandbox's own: an agent's local server (opencode's) is never proxied. */
const LOOPBACK = "localhost,127.0.0.1,::1";
const PROXY_ENV: Record<string, string> = {
  HTTP_PROXY: PROXY_URL,
  HTTPS_PROXY: PROXY_URL,
  http_proxy: PROXY_URL,
  https_proxy: PROXY_URL,
  NO_PROXY: LOOPBACK,
  no_proxy: LOOPBACK,
};

/** The proxy's variables, and with model hosts the trust of the run's authority and the placeholders. */
function proxyEnv(proxy: NetworkProxy, policy: SandboxPolicy, runtimeDir: string): Record<string, string> {
  const models = policy.network.mode === "allow" ? policy.network.models : undefined;
  if (proxy.certificate === undefined || !models) return PROXY_ENV;
  return {
    ...PROXY_ENV,
    ...trustAuthority(runtimeDir, RUNTIME_DIR, proxy.certificate),
    ...credentialPlaceholders(models),
  };
}

/** The forwarder runs on gaffer's own node binary, mounted alone so it works even if node lives under a hidden HOME. */
function forwarderMounts(runtimeDir: string): Mount[] {
  return [
    bind("--ro-bind", process.execPath, FORWARDER_NODE),
    bind("--ro-bind", FORWARDER_SOURCE, FORWARDER_PATH),
    bind("--ro-bind", runtimeDir, RUNTIME_DIR),
  ];
}

function forwarderCommand(hosts: readonly string[]): string[] {
  const forwards = loopbackForwards(hosts);
  return [
    FORWARDER_NODE,
    "--no-warnings",
    FORWARDER_PATH,
    `${RUNTIME_DIR}/${PROXY_SOCKET}`,
    String(PROXY_PORT),
    forwards.length > 0 ? forwards.join(",") : "-",
  ];
}

function realHomes(): string[] {
  let passwdHome: string | undefined;
  try {
    passwdHome = userInfo().homedir;
  } catch {
    // no passwd entry for this uid
  }
  return [...new Set(["/root", ...absolute(passwdHome), ...absolute(process.env.HOME)])];
}

function absolute(path: string | undefined): string[] {
  return path !== undefined && isAbsolute(path) ? [path] : [];
}
