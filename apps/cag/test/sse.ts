/** One Server-Sent Event, or a comment line (`: ping`). */
export type SseItem = { event: string; data: unknown } | { comment: string };

/**
 * Parses a whole SSE body into events (data parsed as JSON) and comments, in order.
 *
 * @example
 * ```ts
 * const items = parseSse(await res.text());
 * ```
 */
export function parseSse(text: string): SseItem[] {
  const items: SseItem[] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) items.push({ comment: line.slice(1).trim() });
      else if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length > 0) items.push({ event, data: JSON.parse(data.join("\n")) });
  }
  return items;
}

/** The events only, without comments. */
export function events(items: SseItem[]): { event: string; data: unknown }[] {
  return items.filter((item): item is { event: string; data: unknown } => "event" in item);
}
