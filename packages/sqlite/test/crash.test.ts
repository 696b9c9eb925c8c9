import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { fixture, tempDir, waitForLine } from "./helpers.ts";

let tmp: ReturnType<typeof tempDir>;
let child: ReturnType<typeof Bun.spawn> | undefined;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill(9);
  child = undefined;
  tmp.remove();
});

function check(path: string, committed: number[]) {
  const db = new Database(path);
  try {
    expect(db.query("pragma integrity_check").get()).toEqual({ integrity_check: "ok" });
    const batches = db
      .query("select batch, count(*) as n from batch_rows group by batch order by batch")
      .all() as { batch: number; n: number }[];
    const complete = new Map(batches.map((b) => [b.batch, b.n]));
    for (const batch of committed) expect(complete.get(batch)).toBe(200);
    // A batch is there whole or not at all; the uncommitted one (-1) never.
    for (const b of batches) expect(b.n).toBe(200);
    expect(complete.has(-1)).toBe(false);
  } finally {
    db.close();
  }
}

describe("kill -9 of a writer process", () => {
  it("mid-transaction: the file passes integrity_check and keeps every committed batch", async () => {
    const path = tmp.file("crash.db");
    child = Bun.spawn(["bun", fixture("crash-writer.ts"), path, "hang"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    const committed: number[] = [];
    await waitForLine(
      child.stdout as ReadableStream<Uint8Array>,
      (line) => {
        const m = /^committed (\d+)$/.exec(line);
        if (m) committed.push(Number(m[1]));
        return line === "in-tx";
      },
      30_000,
    );
    child.kill(9);
    await child.exited;
    expect(committed.length).toBe(30);
    check(path, committed);
  }, 40_000);

  it("at an arbitrary moment of a write loop: no committed batch is lost", async () => {
    const path = tmp.file("crash-loop.db");
    child = Bun.spawn(["bun", fixture("crash-writer.ts"), path, "loop"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    const committed: number[] = [];
    await waitForLine(
      child.stdout as ReadableStream<Uint8Array>,
      (line) => {
        const m = /^committed (\d+)$/.exec(line);
        if (m) committed.push(Number(m[1]));
        return committed.length >= 20;
      },
      30_000,
    );
    await Bun.sleep(Math.random() * 20);
    child.kill(9);
    await child.exited;
    check(path, committed);
  }, 40_000);
});
