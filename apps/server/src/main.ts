/**
 * `bun run start` (from the repository root): builds the server from the environment, listens,
 * then seeds, so `/health` can answer 503 with the progress meanwhile. Started as a direct
 * `bun <file>`, so SIGINT/SIGTERM reach this process and shut it down cleanly.
 */
import { createProgressReporter } from "@app/kit";
import { loadConfig, type ServerConfig } from "./config.ts";
import { ConfigError } from "./config-error.ts";
import { createServer } from "./server.ts";
import { installShutdown } from "./shutdown.ts";

let config: ServerConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`cannot start: ${error.message}`);
  process.exit(2);
}

const started = performance.now();
const server = await createServer(config, { standin: config.standin });
const http = Bun.serve({
  hostname: config.host,
  port: config.port,
  fetch: server.app.fetch,
  // LLM routes lift it per request (liftIdleTimeout); everything else is short.
  idleTimeout: config.idleTimeoutS,
});
installShutdown({
  http,
  close: () => server.close(config.shutdownTimeoutMs),
  onSignal: () => server.dashboard.close(),
  timeoutMs: config.shutdownTimeoutMs,
});
console.log(`listening on ${http.url.href.replace(/\/$/, "")}  (database ${config.sqlite.path})`);

try {
  await server.start(createProgressReporter());
  console.log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${http.url.href}`);
} catch (error) {
  console.error(
    `start-up failed; /health reports it: ${error instanceof Error ? error.message : error}`,
  );
}
