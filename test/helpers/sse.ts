/** A server-sent event as a client reads it. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads a text/event-stream until `enough` says so (or the stream ends), returning the messages
 * in order. The caller's AbortController ends the request.
 */
export async function readSse(
  url: string,
  enough: (messages: SseMessage[]) => boolean,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<SseMessage[]> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: "text/event-stream", ...options.headers },
    signal: options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`);
  const messages: SseMessage[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: SseMessage = { data: "" };
        for (const line of block.split("\n")) {
          const colon = line.indexOf(":");
          if (colon === 0) continue;
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, "");
          if (field === "data") message.data += value;
          else if (field === "id") message.id = value;
          else if (field === "event") message.event = value;
        }
        if (message.data !== "" || message.id !== undefined) messages.push(message);
        if (enough(messages)) return messages;
      }
    }
  } finally {
    controller.abort();
  }
  return messages;
}
