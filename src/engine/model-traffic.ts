import type { AgentPreset } from "../agents/index.ts";
import { GafferError } from "../errors.ts";
import { type GafferConfig, KEY_VARIABLES, readModelCa } from "../config/index.ts";
import { hostAllowed, type ModelRoute, type ModelTraffic } from "../sandbox/index.ts";
import type { Login } from "./logins/index.ts";

/** Which keys of a run stay with gaffer (by model host) and which still enter the sandbox. */
export interface ModelKeys {
  /** The proxy's model routes; undefined when none (nothing to open, nothing to add). */
  traffic: ModelTraffic | undefined;
  /** Per routed host, the variables whose credentials the proxy adds. */
  injected: { host: string; api: string; variables: string[] }[];
  /** Key variables that are set and enter the sandbox as they are: no model host of the run takes them. */
  passed: string[];
}

/**
 * A run's model keys. In a sandbox with `[models] keys = "proxy"` (the default), each model host on
 * the run's allowlist gets the credentials of its variables that the agent is entitled to (its
 * preset's `pass_env` and `[sandbox] env`) and that gaffer's environment holds; those variables then
 * hold placeholders inside. A login of the run's (`[models] logins`) goes first on its host, which
 * the allowlist must have. Without a sandbox, or with `keys = "pass"`, every key enters as before (and no
 * login is used: a login never enters the sandbox).
 */
export function modelKeys(
  config: GafferConfig,
  preset: AgentPreset,
  allowlist: readonly string[],
  confined: boolean,
  env: NodeJS.ProcessEnv = process.env,
  logins: readonly Login[] = [],
): ModelKeys {
  const entitled = new Set([...config.sandbox.env, ...(preset.driver === "scripted" ? [] : preset.passEnv)]);
  const keyVariables = [...entitled].filter(
    (name) => env[name] && (KEY_VARIABLES.has(name) || keyEnvOf(preset).includes(name)),
  );
  if (!confined || config.models.keys === "pass")
    return { traffic: undefined, injected: [], passed: keyVariables };
  const keyRoutes = config.models.hosts.flatMap((host): ModelRoute[] => {
    if (!allowlist.some((entry) => sameHost(entry, host.host))) return [];
    const credentials = host.keys.flatMap((key) => {
      const value = env[key.variable];
      return entitled.has(key.variable) && value ? [{ ...key, value }] : [];
    });
    if (credentials.length === 0) return [];
    return [
      { host: host.host, api: host.api, credentials, ...(host.upstream && { upstream: host.upstream }) },
    ];
  });
  const blocked = logins.find((login) => !allowlist.some((entry) => sameHost(entry, login.host)));
  if (blocked)
    throw new GafferError(
      "config-invalid",
      `[models] logins: the ${blocked.label} is used on ${blocked.host}, which this run's sandbox does not allow`,
      `add "${blocked.host}" to [sandbox] hosts (or the agent preset's hosts)`,
    );
  const routes = withLogins(keyRoutes, logins, config);
  const injectedVariables = new Set(routes.flatMap((route) => route.credentials.map((c) => c.variable)));
  return {
    traffic: routes.length > 0 ? { routes, upstreamCa: readModelCa(config.models.ca) } : undefined,
    injected: routes.map((route) => ({
      host: route.host,
      api: route.api,
      variables: route.credentials.map((c) => c.variable),
    })),
    passed: keyVariables.filter((name) => !injectedVariables.has(name)),
  };
}

/**
 * Each login's token goes first on its host: on the route its keys made, or on a route of its own
 * (with the `upstream` a `[models.hosts]` entry of that host names).
 */
function withLogins(routes: ModelRoute[], logins: readonly Login[], config: GafferConfig): ModelRoute[] {
  const out = [...routes];
  for (const login of logins) {
    const credential = {
      variable: login.label,
      value: "",
      header: "authorization" as const,
      token: () => login.token(),
    };
    const at = out.findIndex((route) => route.host === login.host);
    const existing = out[at];
    if (existing) {
      out[at] = { ...existing, credentials: [credential, ...existing.credentials] };
      continue;
    }
    const upstream = config.models.hosts.find((host) => host.host === login.host)?.upstream;
    out.push({ host: login.host, api: login.api, credentials: [credential], ...(upstream && { upstream }) });
  }
  return out;
}

/** The allowlist's `api.example` and a model host `api.example` (port 443) are one host. */
function sameHost(entry: string, modelHost: string): boolean {
  const port = /:(\d+)$/.exec(modelHost)?.[1];
  const name = port === undefined ? modelHost : modelHost.slice(0, -port.length - 1);
  return hostAllowed([entry], name, Number(port ?? 443));
}

function keyEnvOf(preset: AgentPreset): readonly string[] {
  return preset.driver === "scripted" ? [] : (preset.keyEnv ?? []);
}
