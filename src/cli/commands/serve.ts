import type { Project } from "../../engine/index.ts";
import { openProject } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import { type BindOptions, type RunningDashboard, startDashboard } from "../../web/index.ts";
import { print } from "../output.ts";

/** The dashboard's command-line options, shared by `serve`, `up --dashboard` and the supervisor. */
export interface DashboardOptions {
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
}

export function bindOf(options: DashboardOptions): BindOptions {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new GafferError(
      "usage",
      `--port "${options.port}" is not a port`,
      "use 0-65535 (0: any free port)",
    );
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    throw new GafferError("usage", "--tls-cert and --tls-key go together", "pass both files, or neither");
  return {
    host: options.host,
    port,
    tls: options.tlsCert && options.tlsKey ? { cert: options.tlsCert, key: options.tlsKey } : undefined,
    insecure: options.insecure,
  };
}

/** The same options as arguments again, for the supervisor process `gaffer up --dashboard` starts. */
export function dashboardArgs(options: DashboardOptions): string[] {
  return [
    "--dashboard",
    "--host",
    options.host,
    "--port",
    options.port,
    ...(options.tlsCert && options.tlsKey
      ? ["--tls-cert", options.tlsCert, "--tls-key", options.tlsKey]
      : []),
    ...(options.insecure ? ["--insecure"] : []),
  ];
}

export async function startAndSay(project: Project, options: DashboardOptions): Promise<RunningDashboard> {
  const dashboard = await startDashboard(project, bindOf(options));
  print(`dashboard: ${dashboard.url}   (actions need a token: gaffer token create --name <who>)`);
  return dashboard;
}

/** The dashboard in the foreground until Ctrl-C: pages, the JSON API and the live feed. */
export async function serve(cwd: string, options: DashboardOptions): Promise<number> {
  bindOf(options);
  const project = await openProject(cwd);
  try {
    const dashboard = await startAndSay(project, options);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await dashboard.close();
    return 0;
  } finally {
    await project.close();
  }
}
