/** An event's data as a plain record, for tests that look at one field of events they filtered by name. */
export function dataOf(event: { data: object }): Record<string, unknown> {
  return event.data as Record<string, unknown>;
}
