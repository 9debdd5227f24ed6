import { get, post } from "./api.ts";
import { button, h, section, table, time } from "./dom.ts";
import { type PageTools, perform, runLink, stateBadge, summary } from "./parts.ts";
import type { Item, Status, VaultAction } from "./types.ts";

export async function overview(tools: PageTools): Promise<{ node: HTMLElement; after: number }> {
  const status = await get<Status>("status");
  const { daemon } = status;
  const paused = daemon.paused;
  const roles = status.factory?.roles ?? [];
  const node = h(
    "div",
    { class: "page overview" },
    h("h1", {}, "Overview"),
    h(
      "p",
      { class: "facts" },
      `supervisor: ${daemon.daemon ? `up (pid ${daemon.daemon.pid})` : "not running"} · `,
      h("span", { id: "paused-state" }, paused ? "paused" : "dispatching"),
      ` · open items ${status.openItems} · ready ${daemon.ready} · awaiting review ${daemon.awaitingReview} · vault waiting ${status.vaultWaiting}`,
      ` · cost today $${daemon.spent.today.toFixed(2)}`,
      typeof status.budget.day === "number" && status.budget.day > 0 ? ` of $${status.budget.day} a day` : "",
    ),
    h(
      "p",
      {},
      paused
        ? button("Resume the factory", () => void perform(tools, "resumed", () => post("factory/resume")), {
            "data-key": "resume",
          })
        : button("Pause the factory", () => void perform(tools, "paused", () => post("factory/pause")), {
            "data-key": "pause",
          }),
    ),
    section(
      "Roles",
      table(
        ["role", "kind", "state"],
        roles.map((role) => [
          role.name,
          role.kind,
          role.enabled ? (role.running ? "running" : "idle") : "disabled",
        ]),
        "roles (no factory here)",
      ),
      roles.length
        ? tellForm(
            roles.map((role) => role.name),
            tools,
          )
        : null,
    ),
    section(
      "In flight",
      table(
        ["run", "item", "state", "attempt", "role"],
        status.active.map((run) => [
          runLink(run),
          `#${run.itemId}`,
          stateBadge(run.state),
          `${run.attempt}/${run.maxFixAttempts + 1}`,
          run.role ?? "",
        ]),
        "runs at work",
      ),
    ),
    section(
      "Runs",
      table(
        ["state", "runs"],
        Object.entries(status.counts).map(([state, count]) => [stateBadge(state), count]),
        "runs yet",
      ),
    ),
    section(
      "Alerts",
      table(
        ["when", "what", "run", "detail"],
        status.alerts.map((event) => [
          time(event.at),
          event.type,
          event.runId ? runLink({ id: event.runId }) : "",
          summary(event),
        ]),
        "alerts",
      ),
    ),
  );
  return { node, after: status.lastEventId };
}

/** Tells a role something, as `gaffer tell <role> <message>`: an item only that role takes. */
function tellForm(roles: string[], tools: PageTools): HTMLElement {
  const role = h(
    "select",
    { "aria-label": "role to tell", "data-key": "tell-role" },
    roles.map((name) => h("option", { value: name }, name)),
  ) as HTMLSelectElement;
  const message = h("input", {
    type: "text",
    "aria-label": "message for the role",
    placeholder: "message",
    "data-key": "tell-message",
  }) as HTMLInputElement;
  const send = () =>
    void perform(tools, `told ${role.value}`, () =>
      post(`roles/${encodeURIComponent(role.value)}/tell`, { message: message.value }),
    );
  return h("p", { class: "decide" }, role, message, button("Tell", send, { "data-key": "tell" }));
}

/** Lanes whose items can be put back to work from the board. */
const REQUEUE_LANES = new Set(["gave up", "merged"]);

export async function board(tools: PageTools): Promise<{ node: HTMLElement; after: number }> {
  const { lanes, counts, items, lastEventId } = await get<{
    lanes: string[];
    counts: Record<string, number>;
    items: Item[];
    lastEventId: number;
  }>("items");
  const node = h(
    "div",
    { class: "page" },
    h("h1", {}, "Board"),
    h(
      "div",
      { class: "lanes" },
      lanes.map((lane) => {
        const here = items.filter((item) => item.lane === lane);
        return h(
          "section",
          { class: "lane", "aria-label": lane },
          h("h2", {}, `${lane} (${counts[lane] ?? here.length})`),
          h(
            "ul",
            {},
            here.map((item) =>
              h(
                "li",
                { class: "card", "data-item": String(item.id) },
                h("span", { class: "card-title" }, `#${item.id} ${item.title}`),
                item.run ? h("span", {}, runLink(item.run), " ", stateBadge(item.run.state)) : null,
                REQUEUE_LANES.has(lane)
                  ? button(
                      "Re-queue",
                      () =>
                        void perform(tools, `item #${item.id} re-queued`, () =>
                          post(`items/${item.id}/requeue`),
                        ),
                      { "data-key": `requeue-${item.id}`, "aria-label": `Re-queue item #${item.id}` },
                    )
                  : null,
              ),
            ),
          ),
          (counts[lane] ?? 0) > here.length
            ? h("p", { class: "empty" }, `and ${(counts[lane] ?? 0) - here.length} more`)
            : null,
        );
      }),
    ),
  );
  return { node, after: lastEventId };
}

export async function vault(tools: PageTools): Promise<{ node: HTMLElement; after: number }> {
  const [actions, status] = await Promise.all([get<VaultAction[]>("vault?all"), get<Status>("status")]);
  const waiting = actions.filter((a) => a.state === "pending");
  const decided = actions.filter((a) => a.state !== "pending");
  const card = (action: VaultAction) => {
    const { request } = action;
    const reason = h("input", {
      type: "text",
      "aria-label": `reason to reject ${request.id}`,
      placeholder: "reason (to reject)",
      "data-key": `reason-${request.id}`,
    }) as HTMLInputElement;
    const what = request.merge
      ? `merge ${request.merge.branch} into ${request.merge.into}: ${request.merge.files} files, ${request.merge.lines} lines`
      : `formula ${request.formula?.name ?? "?"}`;
    return h(
      "li",
      { class: "card", "data-action": request.id },
      h("h3", {}, `${request.id} · ${request.tier}`),
      h("p", {}, what),
      h("p", {}, `context: ${request.context}`),
      h(
        "p",
        {},
        `requested by ${request.requestedBy.identity ?? request.requestedBy.role}`,
        request.requestedBy.run ? [" for ", runLink({ id: request.requestedBy.run })] : "",
      ),
      h(
        "ul",
        { class: "reasons" },
        request.reasons.map((r) => h("li", {}, `${r.tier}: ${r.rule} — ${r.why}`)),
      ),
      h(
        "p",
        { class: "decide" },
        button(
          `Approve ${request.id}`,
          () => void perform(tools, `approved ${request.id}`, () => post(`vault/${request.id}/approve`)),
          { "data-key": `approve-${request.id}` },
        ),
        reason,
        button(
          `Reject ${request.id}`,
          () =>
            void perform(tools, `rejected ${request.id}`, () =>
              post(`vault/${request.id}/reject`, { reason: reason.value }),
            ),
          { "data-key": `reject-${request.id}` },
        ),
      ),
    );
  };
  const node = h(
    "div",
    { class: "page" },
    h("h1", {}, "Vault"),
    section(
      "Waiting",
      waiting.length
        ? h("ul", { class: "cards" }, waiting.map(card))
        : h("p", { class: "empty" }, "nothing waits in the vault"),
    ),
    section(
      "Decided",
      table(
        ["action", "tier", "state", "context"],
        decided.map((a) => [
          a.request.id,
          a.request.tier,
          h("span", { class: `badge vault-${a.state}` }, a.state),
          a.request.context,
        ]),
        "decided actions",
      ),
    ),
  );
  return { node, after: status.lastEventId };
}
