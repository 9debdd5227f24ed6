import { printable } from "../util/index.ts";

/**
 * One event as a line of text: its time, its type and its data, long strings cut short and
 * agent-controlled characters shown escaped (JSON leaves C1 controls and bidi characters raw).
 */
export function eventLine(
  event: { type: string; at: number; data: object },
  dimTime: (text: string) => string = (text) => text,
): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  const fields = Object.entries(event.data)
    .filter(([key]) => key !== "kind")
    .map(
      ([key, value]) =>
        `${printable(key)}=${printable(JSON.stringify(typeof value === "string" ? truncate(value) : value))}`,
    )
    .join(" ");
  return `${dimTime(time)} ${printable(event.type).padEnd(20)} ${fields}`;
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
