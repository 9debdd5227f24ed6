import { h } from "./dom.ts";

/** Every row is this tall (CSS keeps it so): the list places rows by arithmetic, not by measuring. */
export const ROW_PX = 20;
const OVERSCAN = 20;
/** Where each list was scrolled to, by key, so a live redraw keeps the reader's place; -1: the end. */
const scrolled = new Map<string, number>();

/**
 * A list that keeps only the rows in view in the DOM: a 10,000-line diff or a long transcript
 * costs as much to draw as one screenful. `key` names it across redraws; the scroll box is
 * focusable, so the keyboard scrolls it. A list that `follows` opens at its end and stays there
 * as rows arrive, until the reader scrolls up.
 */
export function virtualList<T>(
  key: string,
  rows: readonly T[],
  draw: (row: T, index: number) => HTMLElement,
  label: string,
  follows = false,
): HTMLElement {
  const inner = h("div", { class: "virtual-rows" });
  inner.style.height = `${rows.length * ROW_PX}px`;
  const box = h(
    "div",
    { class: "virtual", tabindex: "0", role: "region", "aria-label": label, "data-key": key },
    inner,
  );
  let first = -1;
  let last = -1;
  const paint = () => {
    const top = box.scrollTop;
    const height = box.clientHeight || 600;
    const from = Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN);
    const to = Math.min(rows.length, Math.ceil((top + height) / ROW_PX) + OVERSCAN);
    if (from === first && to === last) return;
    first = from;
    last = to;
    const drawn: HTMLElement[] = [];
    for (let index = from; index < to; index++) {
      const row = draw(rows[index] as T, index);
      row.classList.add("virtual-row");
      row.style.top = `${index * ROW_PX}px`;
      drawn.push(row);
    }
    inner.replaceChildren(...drawn);
  };
  let queued = false;
  box.addEventListener("scroll", () => {
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - ROW_PX;
    scrolled.set(key, follows && atEnd ? -1 : box.scrollTop);
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      paint();
    });
  });
  // Drawn once attached (its height is known then), at the place the reader left it.
  requestAnimationFrame(() => {
    const place = scrolled.get(key) ?? (follows ? -1 : 0);
    box.scrollTop = place === -1 ? box.scrollHeight : place;
    paint();
  });
  paint();
  return box;
}
