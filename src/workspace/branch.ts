const MAX_SLUG = 40;

/**
 * The run branch for a work item: `gaffer/<id>-<slug>`, e.g. `gaffer/12-add-subtract`.
 * `earlierRuns` (the item's runs so far) gives later runs their own branch: `…-add-subtract-2`.
 */
export function runBranchName(itemId: number | string, title: string, earlierRuns = 0): string {
  const suffix = earlierRuns > 0 ? `-${earlierRuns + 1}` : "";
  return `gaffer/${slugify(String(itemId)) || "item"}-${slugify(title) || "work"}${suffix}`;
}

/** Lowercase ASCII words joined by dashes, cut at a word boundary near MAX_SLUG characters. */
function slugify(text: string): string {
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= MAX_SLUG) return slug;
  const cut = slug.slice(0, MAX_SLUG);
  const lastDash = cut.lastIndexOf("-");
  return (lastDash > MAX_SLUG / 2 ? cut.slice(0, lastDash) : cut).replace(/-+$/, "");
}
