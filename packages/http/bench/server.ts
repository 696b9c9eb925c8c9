/**
 * The benchmark's upstream, run in its own process so client and server do not share an event
 * loop. A minimal HTTP/1.1 keep-alive responder over `Bun.listen` (fast, and it can count
 * connections, which `Bun.serve` cannot): every request gets the same 122-byte JSON body.
 * It prints `{"port":N,"control":M}` on stdout; `GET /` on the control port returns the
 * connections opened so far.
 *
 * Run: bun bench/server.ts
 */
const body = JSON.stringify({
  model: "bench",
  created_at: "2026-11-28T12:00:00Z",
  message: { role: "assistant", content: "hi" },
  done: true,
  n: 12345,
});
const payload = body.padEnd(122, " ");
const response = Buffer.from(
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${payload.length}\r\n\r\n${payload}`,
);
const END = Buffer.from("\r\n\r\n");

let opened = 0;
let open = 0;

interface State {
  pending: Buffer | undefined;
  /** Bytes the kernel did not take yet. */
  out: Buffer | undefined;
}

function send(socket: { write(b: Buffer): number; data: State }, bytes: Buffer): void {
  if (socket.data.out !== undefined) {
    socket.data.out = Buffer.concat([socket.data.out, bytes]);
    return;
  }
  const n = socket.write(bytes);
  if (n >= 0 && n < bytes.length) socket.data.out = bytes.subarray(n);
}

const server = Bun.listen<State>({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open(socket) {
      opened++;
      open++;
      socket.data = { pending: undefined, out: undefined };
    },
    data(socket, data) {
      let buf =
        socket.data.pending === undefined ? data : Buffer.concat([socket.data.pending, data]);
      let responses = 0;
      for (;;) {
        const at = buf.indexOf(END);
        if (at < 0) break;
        responses++;
        buf = buf.subarray(at + 4);
      }
      socket.data.pending = buf.length > 0 ? Buffer.from(buf) : undefined;
      if (responses === 1) send(socket, response);
      else if (responses > 1) send(socket, Buffer.concat(Array(responses).fill(response)));
    },
    drain(socket) {
      const out = socket.data.out;
      if (out === undefined) return;
      socket.data.out = undefined;
      send(socket, out);
    },
    close() {
      open--;
    },
  },
});

const control = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => Response.json({ opened, open }),
});

console.log(JSON.stringify({ port: server.port, control: control.port }));
// The parent closes our stdin when it is done; exit then, whatever happens to it.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
