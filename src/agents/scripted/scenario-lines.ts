/**
 * Finds the line of a value in scenario TOML for error messages. smol-toml reports lines only
 * for syntax errors, so validation errors are located by a light scan of the text. Best effort:
 * it knows the documented layout (`[[attempts]]` and `[[reviews]]` tables with a `steps = [ {…}, … ]` array) and
 * falls back to the nearest enclosing line it can find.
 */
export function lineOf(text: string, path: readonly PropertyKey[]): number {
  const lines = text.split("\n");
  const [top, attempt, field, step, ...rest] = path;
  const whole = { from: 0, to: lines.length };
  if (top === undefined) return 1;
  if ((top !== "attempts" && top !== "reviews") || typeof attempt !== "number")
    return keyLine(lines, whole, String(top)) ?? 1;
  const header = new RegExp(`^\\s*\\[\\[\\s*${top}\\s*\\]\\]`);
  const headers = lines.flatMap((line, i) => (header.test(line) ? [i] : []));
  const from = headers[attempt];
  if (from === undefined) return keyLine(lines, whole, top) ?? 1;
  const table = { from, to: headers[attempt + 1] ?? lines.length };
  if (field === undefined) return from + 1;
  const fieldLine = keyLine(lines, table, String(field)) ?? from + 1;
  if (field !== "steps" || typeof step !== "number") return fieldLine;
  const starts = stepStarts(lines, fieldLine - 1, table.to);
  const stepFrom = starts[step];
  if (stepFrom === undefined) return fieldLine;
  if (rest[0] === undefined) return stepFrom + 1;
  return (
    keyLine(lines, { from: stepFrom, to: starts[step + 1] ?? table.to }, String(rest[0])) ?? stepFrom + 1
  );
}

function keyLine(lines: string[], range: { from: number; to: number }, key: string): number | undefined {
  const pattern = new RegExp(`(^|[\\s{,])"?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?\\s*=`);
  for (let i = range.from; i < range.to; i++) {
    if (pattern.test(stripComment(lines[i] ?? ""))) return i + 1;
  }
  return undefined;
}

/** Line indexes where each inline table directly inside the array that starts on `from` opens. */
function stepStarts(lines: string[], from: number, to: number): number[] {
  const starts: number[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < to; i++) {
    const line = lines[i] ?? "";
    for (let c = i === from ? line.indexOf("=") + 1 : 0; c < line.length; c++) {
      const ch = line.charAt(c);
      if (quote) {
        if (ch === "\\" && quote === '"') c++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
      } else if (ch === "#") {
        break;
      } else if (ch === "[" || ch === "{") {
        if (ch === "{" && depth === 1) starts.push(i);
        depth++;
      } else if (ch === "]" || ch === "}") {
        depth--;
        if (depth === 0) return starts;
      }
    }
  }
  return starts;
}

function stripComment(line: string): string {
  const hash = line.indexOf("#");
  return hash < 0 ? line : line.slice(0, hash);
}
