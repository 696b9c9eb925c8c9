import { describe, expect, it } from "bun:test";
import { createProgressReporter } from "./progress.ts";

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (chunk: string) => chunks.push(chunk) } };
}

describe("createProgressReporter", () => {
  it("writes plain lines with counts when not on a terminal, throttled per label", () => {
    const { chunks, stream } = capture(false);
    const progress = createProgressReporter({ stream, lineIntervalMs: 60_000 });
    for (let done = 0; done <= 100; done += 10) {
      progress.update("seed", { done, total: 100, unit: "documents" });
    }
    progress.end("seed", "100 documents");
    // the first line, the last (done === total) and the summary; nothing in between
    expect(chunks).toEqual([
      "seed: 0/100 documents (0%)\n",
      "seed: 100/100 documents (100%)\n",
      "seed: 100 documents\n",
    ]);
    expect(chunks.join("")).not.toContain("\r");
  });

  it("redraws a bar in place on a terminal and ends it with a line", () => {
    const { chunks, stream } = capture(true);
    const progress = createProgressReporter({ stream, barWidth: 10 });
    progress.update("seed", {
      done: 5,
      total: 10,
      unit: "passages",
      etaS: 1.2,
      detail: "1/2 documents",
    });
    progress.end("seed", "done");
    expect(chunks[0]).toStartWith("\r");
    expect(chunks[0]).toContain("[#####.....] 5/10 passages (50%, ~2 s left), 1/2 documents");
    expect(chunks.at(-1)).toEndWith("seed: done\n");
  });
});
