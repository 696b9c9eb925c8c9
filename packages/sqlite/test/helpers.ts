import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory under the OS temp dir; `remove()` deletes it with everything in it. */
export function tempDir(): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "pool-sqlite-"));
  return {
    dir,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The rejection of `promise`, failing when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a rejection, got a value");
}

/** The error `fn` throws, failing when it returns instead. */
export function thrownBy(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a throw, got a value");
}

export const fixture = (name: string): string => join(import.meta.dir, "fixtures", name);

/** Reads a child's stdout line by line until `predicate` matches a line, within `timeoutMs`. */
export async function waitForLine(
  stream: ReadableStream<Uint8Array>,
  predicate: (line: string) => boolean,
  timeoutMs: number,
): Promise<{ line: string; rest: () => Promise<string> }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const newline = buffer.indexOf("\n");
    if (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (predicate(line)) {
        const rest = async () => {
          let out = buffer;
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return out;
            out += decoder.decode(value);
          }
        };
        return { line, rest };
      }
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching line within ${timeoutMs} ms; got: ${buffer}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const chunk = await Promise.race([
      reader.read(),
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), left);
      }),
    ]);
    clearTimeout(timer);
    if (chunk === "timeout") continue;
    if (chunk.done) throw new Error(`stream ended before a matching line; got: ${buffer}`);
    buffer += decoder.decode(chunk.value);
  }
}
