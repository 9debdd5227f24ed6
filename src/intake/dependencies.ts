/**
 * The issues an issue depends on: the `#N` references in its `## Dependencies` or `## Depends on`
 * section (disinto's lib/parse-deps.sh), up to the next heading. Used for built-in markdown issues
 * and forge issues alike; references elsewhere in the body are mentions, not dependencies.
 */
export function parseDependencies(body: string): number[] {
  const found: number[] = [];
  let inSection = false;
  for (const line of body.split(/\r?\n/)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      inSection = /^(dependencies|depends on)\s*:?$/i.test(heading[1] as string);
      continue;
    }
    if (!inSection) continue;
    for (const match of line.matchAll(/(?<![\w/&#])#(\d+)\b/g)) {
      const number = Number(match[1]);
      if (number > 0 && !found.includes(number)) found.push(number);
    }
  }
  return found;
}
