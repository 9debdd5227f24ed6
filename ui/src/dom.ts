/** Builds elements from text only: agent and tracker text never becomes markup. */
type Child = Node | string | number | null | undefined | false;

export function h(
  tag: string,
  attributes: Record<string, string | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) element.setAttribute(name, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "object" ? child : String(child));
  }
  return element;
}

export function button(
  label: string,
  onClick: () => void,
  attributes: Record<string, string> = {},
): HTMLElement {
  const element = h("button", { type: "button", ...attributes }, label);
  element.addEventListener("click", onClick);
  return element;
}

export function time(at: number): HTMLElement {
  const date = new Date(at);
  return h("time", { datetime: date.toISOString(), title: date.toISOString() }, date.toLocaleTimeString());
}

export function section(title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h("section", {}, h("h2", {}, title), ...children);
}

export function table(header: string[], rows: Child[][], caption?: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, caption ? `no ${caption}` : "none");
  return h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        header.map((cell) => h("th", { scope: "col" }, cell)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          row.map((cell) => h("td", {}, cell)),
        ),
      ),
    ),
  );
}
