/**
 * The real `ollama` npm client, given `fetch: http.fetch`, against an Ollama-compatible
 * stand-in on loopback (Ollama itself cannot run here): streamed chat, embeddings, tags.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Ollama } from "ollama";
import { HttpPool } from "../src/index.ts";

const TOKENS = ["Why", " is", " the", " sky", " blue", "?"];

/** Resolved by the test once it has seen the first streamed token; the server waits for it. */
let firstTokenSeen: () => void = () => {};
let serverWaited = false;

function standIn() {
  let chats = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/api/tags") {
        return Response.json({
          models: [
            {
              name: "stand-in:latest",
              model: "stand-in:latest",
              size: 1,
              digest: "x",
              details: {},
            },
          ],
        });
      }
      if (path === "/api/embed") {
        const { model, input } = (await req.json()) as { model: string; input: string | string[] };
        const inputs = Array.isArray(input) ? input : [input];
        return Response.json({ model, embeddings: inputs.map((s) => [s.length, 0.5, -1]) });
      }
      if (path === "/api/embeddings") {
        const { prompt } = (await req.json()) as { prompt: string };
        return Response.json({ embedding: [prompt.length, 0.25] });
      }
      if (path === "/api/chat") {
        chats++;
        const { model, stream } = (await req.json()) as { model: string; stream?: boolean };
        const line = (content: string, done: boolean) =>
          `${JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: "assistant", content }, done, ...(done ? { done_reason: "stop" } : {}) })}\n`;
        if (stream === false) return Response.json(JSON.parse(line(TOKENS.join(""), true)));
        const gate = new Promise<void>((resolve) => {
          firstTokenSeen = resolve;
          setTimeout(resolve, 3_000);
        });
        return new Response(
          new ReadableStream({
            async start(controller) {
              const enc = new TextEncoder();
              controller.enqueue(enc.encode(line(TOKENS[0]!, false)));
              // Hold the rest until the client has the first token: proves it streams.
              await gate;
              serverWaited = true;
              for (const token of TOKENS.slice(1)) {
                controller.enqueue(enc.encode(line(token, false)));
                await Bun.sleep(5);
              }
              controller.enqueue(enc.encode(line("", true)));
              controller.close();
            },
          }),
          { headers: { "content-type": "application/x-ndjson" } },
        );
      }
      return new Response("not found", { status: 404 });
    },
  });
  return { server, chats: () => chats };
}

for (const transport of ["socket", "fetch"] as const) {
  describe(`ollama client with fetch: http.fetch (${transport} transport)`, () => {
    let stand: ReturnType<typeof standIn>;
    let http: HttpPool;
    let ollama: Ollama;
    beforeAll(() => {
      stand = standIn();
      const host = `http://127.0.0.1:${stand.server.port}`;
      http = new HttpPool({ origin: host, connections: 2, transport });
      ollama = new Ollama({ host, fetch: http.fetch as typeof fetch });
    });
    afterAll(async () => {
      await http.close({ timeoutMs: 1_000 });
      stand.server.stop(true);
    });

    it("streams a chat token by token", async () => {
      serverWaited = false;
      const stream = await ollama.chat({
        model: "stand-in",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      });
      const parts: string[] = [];
      let firstBeforeRest: boolean | undefined;
      for await (const part of stream) {
        if (parts.length === 0) {
          firstBeforeRest = !serverWaited;
          firstTokenSeen();
        }
        parts.push(part.message.content);
        if (part.done) expect(part.done_reason).toBe("stop");
      }
      expect(firstBeforeRest).toBe(true);
      expect(parts.join("")).toBe(TOKENS.join(""));
      expect(parts.length).toBe(TOKENS.length + 1);
    });

    it("answers a non-streamed chat", async () => {
      const res = await ollama.chat({
        model: "stand-in",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(res.message.content).toBe(TOKENS.join(""));
    });

    it("embeds with /api/embed and /api/embeddings", async () => {
      const batch = await ollama.embed({ model: "stand-in", input: ["a", "bbb"] });
      expect(batch.embeddings).toEqual([
        [1, 0.5, -1],
        [3, 0.5, -1],
      ]);
      const single = await ollama.embeddings({ model: "stand-in", prompt: "four" });
      expect(single.embedding).toEqual([4, 0.25]);
    });

    it("lists models and runs concurrent chats over at most `connections` sockets", async () => {
      const tags = await ollama.list();
      expect(tags.models.map((m) => m.name)).toEqual(["stand-in:latest"]);
      const before = stand.chats();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          ollama.chat({
            model: "stand-in",
            messages: [{ role: "user", content: "hi" }],
            stream: false,
          }),
        ),
      );
      expect(answers.every((a) => a.message.content === TOKENS.join(""))).toBe(true);
      expect(stand.chats() - before).toBe(6);
      if (transport === "socket")
        expect(
          http.stats().origins[`http://127.0.0.1:${stand.server.port}`]!.connections!.created,
        ).toBeLessThanOrEqual(2);
    });
  });
}
