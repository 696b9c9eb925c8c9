/** One Server-Sent Event, or a comment line (`: ping`). */
export interface SseItem {
  event?: string;
  data?: unknown;
  comment?: string;
}

/**
 * Parses an SSE body into events (their `data` JSON-decoded) and comments, in order.
 *
 * @example
 * ```ts
 * parseSse("event: token\ndata: {\"content\":\"Hi\"}\n\n: ping\n\n"); // [{ event: "token", data: { content: "Hi" } }, { comment: "ping" }]
 * ```
 */
export function parseSse(text: string): SseItem[] {
  const items: SseItem[] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    const item: SseItem = {};
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) items.push({ comment: line.slice(1).trim() });
      else if (line.startsWith("event: ")) item.event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (item.event !== undefined || data.length > 0) {
      if (data.length > 0) item.data = JSON.parse(data.join("\n"));
      items.push(item);
    }
  }
  return items;
}

/**
 * Waits until `condition()` holds, checking every 5 ms, at most `timeoutMs` (then throws with
 * `what`). For counters that settle after a socket closes, not for timing anything.
 *
 * @example
 * ```ts
 * await until(() => standin.aborted === 1, "the stand-in to see the abort");
 * ```
 */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}
