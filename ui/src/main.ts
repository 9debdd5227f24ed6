import "./style.css";
import { savedToken, saveToken } from "./api.ts";
import { h } from "./dom.ts";
import { LiveFeed } from "./live.ts";
import { fleet } from "./fleet-page.ts";
import { board, overview, vault } from "./pages.ts";
import type { PageTools } from "./parts.ts";
import { runPage } from "./run-page.ts";

const main = document.getElementById("main") as HTMLElement;
const tokenInput = document.getElementById("token") as HTMLInputElement;
const feed = new LiveFeed(document.getElementById("live") as HTMLElement);
let notice: HTMLElement | undefined;

tokenInput.value = savedToken();
tokenInput.addEventListener("change", () => saveToken(tokenInput.value.trim()));

const tools: PageTools = {
  notify(text, kind) {
    notice = h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
    main.prepend(notice);
  },
  refresh: () => void render(),
};

function route(): { page: string; load: () => ReturnType<typeof overview> } {
  const hash = location.hash.replace(/^#/, "") || "/";
  const run = /^\/runs\/(\d+)$/.exec(hash);
  if (run) return { page: "run", load: () => runPage(Number(run[1]), tools) };
  if (hash === "/board") return { page: "board", load: () => board(tools) };
  if (hash === "/fleet") return { page: "fleet", load: () => fleet() };
  if (hash === "/vault") return { page: "vault", load: () => vault(tools) };
  return { page: "overview", load: () => overview(tools) };
}

let rendering: Promise<void> | undefined;
let again = false;

/** Draws the current page from fresh data; calls during a draw coalesce into one more. */
async function render(): Promise<void> {
  if (rendering) {
    again = true;
    return;
  }
  const { page, load } = route();
  rendering = (async () => {
    try {
      const focusedKey = (document.activeElement as HTMLElement | null)?.dataset.key;
      const { node, after } = await load();
      main.replaceChildren(...(notice?.isConnected ? [notice] : []), node);
      document.body.dataset.page = page;
      // The page now shows the store as of event `after`: what the latency bench times.
      document.body.dataset.drawnEventId = String(after);
      performance.mark("gaffer:drawn");
      for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a"))
        link.toggleAttribute("aria-current", link.dataset.page === page);
      if (focusedKey) main.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
      feed.start(after);
    } catch (error) {
      main.replaceChildren(
        h("p", { class: "notice error", role: "alert" }, `could not load: ${String(error)}`),
      );
    }
  })();
  await rendering;
  rendering = undefined;
  if (again) {
    again = false;
    await render();
  }
}

feed.subscribe(() => void render());
window.addEventListener("hashchange", () => {
  notice = undefined;
  void render().then(() => main.focus());
});
void render();
