/**
 * The benchmark's `SERVER=bunserve` upstream: `Bun.serve` in its own process answering every
 * request with the same 122-byte JSON body, as a typical Bun HTTP server would (it parses each
 * request and adds Date and Content-Length itself). It prints `{"port":N,"control":M}`;
 * `GET /` on the control port returns the connections accepted so far.
 *
 * `Bun.serve` cannot count connections, so they are read from the kernel: the TCP PassiveOpens
 * counter of /proc/net/snmp (connections accepted in this network namespace), less the control
 * requests themselves (each arrives on a connection of its own). Anything else accepting
 * loopback connections during a run inflates it; the benchmark must run alone anyway.
 *
 * Run: bun bench/bun-server.ts
 */
import { readFileSync } from "node:fs";

const payload = JSON.stringify({
  model: "bench",
  created_at: "2026-11-28T12:00:00Z",
  message: { role: "assistant", content: "hi" },
  done: true,
  n: 12345,
}).padEnd(122, " ");

function passiveOpens(): number {
  const lines = readFileSync("/proc/net/snmp", "latin1").split("\n");
  const names = lines.find((l) => l.startsWith("Tcp: RtoAlgorithm"))!.split(" ");
  const values = lines.find((l) => l.startsWith("Tcp: ") && !l.startsWith("Tcp: RtoAlgorithm"))!;
  return Number(values.split(" ")[names.indexOf("PassiveOpens")]);
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  // Idle keep-alive connections stay open for the whole run, as the raw server's do.
  idleTimeout: 255,
  fetch: () => new Response(payload, { headers: { "content-type": "application/json" } }),
});

const start = passiveOpens();
let probes = 0;
const control = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => {
    probes++;
    return Response.json({ opened: passiveOpens() - start - probes });
  },
});

console.log(JSON.stringify({ port: server.port, control: control.port }));
// The parent closes our stdin when it is done; exit then, whatever happens to it.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
