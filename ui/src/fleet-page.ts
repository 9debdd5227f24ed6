import { get } from "./api.ts";
import { h, section, table } from "./dom.ts";
import type { FleetProject } from "./types.ts";

/** Every project of the fleet this project is found with, as `gaffer fleet status` shows them. */
export async function fleet(): Promise<{ node: HTMLElement; after: number }> {
  const [{ file, projects }, { lastEventId }] = await Promise.all([
    get<{ file: string; projects: FleetProject[] | null }>("fleet"),
    get<{ lastEventId: number }>("status"),
  ]);
  const node = h(
    "div",
    { class: "page fleet" },
    h("h1", {}, "Fleet"),
    h("p", { class: "facts" }, projects ? `from ${file}` : `no fleet file at ${file}`),
    projects
      ? section(
          `Projects (${projects.length})`,
          table(
            ["project", "supervisor", "roles running", "open items", "proposals", "path"],
            projects.map((p) => [
              h("span", { "data-project": p.name }, p.name, p.enabled ? "" : " (disabled)"),
              p.error
                ? h("span", { class: "badge state-failed" }, p.error)
                : p.daemon.running
                  ? `up (pid ${p.daemon.pid})`
                  : "down",
              `${p.roles.running} of ${p.roles.total}`,
              p.openItems,
              p.proposals,
              h("code", {}, p.path),
            ]),
            "projects",
          ),
        )
      : h(
          "p",
          { class: "empty" },
          "set GAFFER_FLEET, or keep a fleet.toml beside gaffer.toml (gaffer create-project --fleet)",
        ),
  );
  return { node, after: lastEventId };
}
