/**
 * Finds the line of a key path in TOML text, so schema errors can name it.
 * It follows [table] and [[array]] headers and `key =` lines (dotted and quoted keys too);
 * for a path into an inline value it returns the line of the nearest enclosing key.
 */
export function locateKey(text: string, path: readonly (string | number)[]): number | undefined {
  const target = path.map(String);
  const arrayCounts = new Map<string, number>();
  let table: string[] = [];
  let best: { line: number; score: number } | undefined;
  // A key (or header) on the path counts; so does a header below the target (`[projects.x]` for
  // "projects"), after an exact match of the same depth.
  const consider = (keyPath: string[], line: number) => {
    const depth = commonPrefix(keyPath, target);
    const exact = depth === keyPath.length;
    if (!exact && (depth === 0 || depth !== target.length)) return;
    const score = depth * 2 + (exact ? 1 : 0);
    if (!best || score > best.score) best = { line, score };
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = stripComment(raw).trim();
    const header = /^\[(\[)?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      const names = splitKey(header[2] as string);
      if (header[1]) {
        const key = names.join(".");
        const count = arrayCounts.get(key) ?? 0;
        arrayCounts.set(key, count + 1);
        table = [...names, String(count)];
      } else {
        table = names;
      }
      consider(table, index + 1);
      return;
    }
    const assignment =
      /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/.exec(line);
    if (assignment) consider([...table, ...splitKey(assignment[1] as string)], index + 1);
  });
  return best?.line;
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function splitKey(key: string): string[] {
  return (key.match(/"[^"]*"|'[^']*'|[^.\s]+/g) ?? []).map((part) => part.replace(/^["']|["']$/g, ""));
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === "#") {
      return line.slice(0, i);
    }
  }
  return line;
}
