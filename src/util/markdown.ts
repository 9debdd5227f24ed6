/**
 * A fenced markdown block no content can close early: its fence is longer than any run of
 * backticks inside, so agent text cannot end it and forge headings or sections of its own.
 */
export function fencedBlock(content: string, info = ""): string {
  return `${backticks(content, 3)}${info}\n${content}\n${backticks(content, 3)}`;
}

/** A run of backticks longer than any in `text`, and at least `least` long. */
export function backticks(text: string, least: number): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(least, longest + 1));
}
