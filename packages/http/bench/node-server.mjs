// The benchmark's upstream on node:http (run under Node when installed), in its own process:
// every request gets the same 122-byte JSON body. Prints {"port":N,"control":M}; GET / on the
// control port returns the connections opened so far. Exits when its stdin closes.
import { createServer } from "node:http";

const body = JSON.stringify({
  model: "bench",
  created_at: "2026-11-28T12:00:00Z",
  message: { role: "assistant", content: "hi" },
  done: true,
  n: 12345,
}).padEnd(122, " ");
let opened = 0;
let open = 0;
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.on("connection", (socket) => {
  opened++;
  open++;
  socket.on("close", () => open--);
});
server.listen(0, "127.0.0.1", () => {
  const control = createServer((_req, res) => res.end(JSON.stringify({ opened, open })));
  control.listen(0, "127.0.0.1", () => {
    process.stdout.write(
      `${JSON.stringify({ port: server.address().port, control: control.address().port })}\n`,
    );
  });
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
