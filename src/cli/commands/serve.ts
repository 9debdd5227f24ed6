import { openProject } from "../../engine/index.ts";
import { GafferError } from "../../errors.ts";
import { startDashboard } from "../../web/index.ts";
import { print } from "../output.ts";

export interface ServeOptions {
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
}

/** The dashboard in the foreground until Ctrl-C: pages, the JSON API and the live feed. */
export async function serve(cwd: string, options: ServeOptions): Promise<number> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new GafferError(
      "usage",
      `--port "${options.port}" is not a port`,
      "use 0-65535 (0: any free port)",
    );
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    throw new GafferError("usage", "--tls-cert and --tls-key go together", "pass both files, or neither");
  const project = await openProject(cwd);
  try {
    const dashboard = await startDashboard(project, {
      host: options.host,
      port,
      tls: options.tlsCert && options.tlsKey ? { cert: options.tlsCert, key: options.tlsKey } : undefined,
      insecure: options.insecure,
    });
    print(
      `dashboard: ${dashboard.url}   (Ctrl-C stops it; actions need a token: gaffer token create --name <who>)`,
    );
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
