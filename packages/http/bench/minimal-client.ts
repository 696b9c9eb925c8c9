/**
 * A bare keep-alive client over `Bun.connect`, in the spirit of the 120-line prototype:
 * no validation, timeouts, stats, retries or pool library. The benchmark runs it as a reference
 * for how fast a JavaScript socket client can be on this machine, so @pool/http's own overhead
 * can be read off the table. Not for use: it trusts the server completely.
 *
 * @example
 * ```ts
 * const client = await MinimalClient.connect("127.0.0.1", 8080, 8);
 * const res = await client.get("/api/bench");
 * client.close();
 * ```
 */
import type { Socket } from "bun";

interface Slot {
  socket: Socket<Slot>;
  resolve: ((response: Response) => void) | undefined;
  pending: Buffer | undefined;
}

const END = Buffer.from("\r\n\r\n");

export class MinimalClient {
  private readonly idle: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private readonly all: Slot[] = [];

  private constructor(private readonly host: string) {}

  static async connect(
    hostname: string,
    port: number,
    connections: number,
  ): Promise<MinimalClient> {
    const client = new MinimalClient(`${hostname}:${port}`);
    for (let i = 0; i < connections; i++) {
      const slot = { resolve: undefined, pending: undefined } as unknown as Slot;
      slot.socket = await Bun.connect<Slot>({
        hostname,
        port,
        data: slot,
        socket: { data: (socket, data) => client.onData(socket.data, data) },
      });
      client.idle.push(slot);
      client.all.push(slot);
    }
    return client;
  }

  get(path: string): Promise<Response> {
    return new Promise((resolve) => {
      const send = (slot: Slot) => {
        slot.resolve = resolve;
        slot.socket.write(`GET ${path} HTTP/1.1\r\nhost: ${this.host}\r\naccept: */*\r\n\r\n`);
      };
      const slot = this.idle.pop();
      if (slot === undefined) this.waiting.push(send);
      else send(slot);
    });
  }

  close(): void {
    for (const slot of this.all) slot.socket.end();
  }

  private onData(slot: Slot, data: Buffer): void {
    const buf = slot.pending === undefined ? data : Buffer.concat([slot.pending, data]);
    const at = buf.indexOf(END);
    if (at < 0) {
      slot.pending = buf;
      return;
    }
    const head = buf.toString("latin1", 0, at);
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (buf.length < at + 4 + length) {
      slot.pending = buf;
      return;
    }
    slot.pending = undefined;
    const headers: [string, string][] = [];
    for (const line of head.split("\r\n").slice(1)) {
      const colon = line.indexOf(":");
      headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    const resolve = slot.resolve!;
    slot.resolve = undefined;
    const next = this.waiting.shift();
    if (next === undefined) this.idle.push(slot);
    else next(slot);
    resolve(new Response(buf.subarray(at + 4, at + 4 + length), { status: 200, headers }));
  }
}
