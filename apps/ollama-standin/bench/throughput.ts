/**
 * How fast the stand-in answers, for sizing the apps' benchmarks (it runs in the server's own
 * process when OLLAMA_HOST is unset, so its cost shows up there). Through an HttpPool of 8
 * connections: batches of embeddings, and non-streamed chats with a ~24,000-token system prompt
 * (CAG's default budget) repeated byte for byte. Run: `bun bench/throughput.ts`.
 */
import { HttpPool } from "@pool/http";
import { startStandin } from "../src/standin.ts";

const standin = await startStandin({ slots: 4 });
const pool = new HttpPool({ origin: standin.url, connections: 8 });
const sentence = (i: number) =>
  `In year ${i} the Congress debated tariffs, railroads, schools and the navy at length. `;
const passage = Array.from({ length: 12 }, (_, i) => sentence(i)).join("");
const system = Array.from({ length: 1_500 }, (_, i) => sentence(i)).join("");

async function run(label: string, total: number, concurrency: number, body: () => object) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next++ < total) {
      const path = label.startsWith("embed") ? "/api/embed" : "/api/chat";
      const res = await pool.fetch(path, { method: "POST", body: JSON.stringify(body()) });
      if (res.status !== 200) throw new Error(`${label}: status ${res.status}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label}: ${total} requests in ${seconds.toFixed(2)} s, ${(total / seconds).toFixed(0)} req/s`,
  );
}

await run("embed, 32 passages of ~1,000 chars per request", 200, 8, () => ({
  model: standin.embedModel,
  input: Array.from({ length: 32 }, () => passage),
}));
let q = 0;
await run(`chat, ${system.length} chars of system prompt, stream: false`, 400, 8, () => ({
  model: standin.chatModel,
  stream: false,
  options: { num_ctx: 32_768 },
  messages: [
    { role: "system", content: system },
    { role: "user", content: `What did Congress debate in year ${q++ % 1500}?` },
  ],
}));
console.log(
  `prompt tokens ${standin.totals.promptTokens}, reused ${standin.totals.reusedTokens} (${((100 * standin.totals.reusedTokens) / standin.totals.promptTokens).toFixed(1)}%)`,
);
await pool.close();
await standin.stop();
