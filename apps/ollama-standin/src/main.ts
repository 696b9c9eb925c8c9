/**
 * `bun run start`: serves the stand-in on `STANDIN_PORT` (default 11435) until SIGINT/SIGTERM,
 * for trying the apps by hand. `STANDIN_CHUNK_DELAY_MS` slows the streamed answers down.
 */
import { startStandin } from "./standin.ts";

const standin = await startStandin({
  port: Number(process.env.STANDIN_PORT ?? 11435),
  chunkDelayMs: Number(process.env.STANDIN_CHUNK_DELAY_MS ?? 0),
});
console.log(
  `Ollama stand-in on ${standin.url} (chat: ${standin.chatModel}, embed: ${standin.embedModel}, ${standin.dimensions} dimensions)`,
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await standin.stop();
    process.exit(0);
  });
}
