// Runs under Bun against the installed @pool/http: one request to a server on 127.0.0.1.
import { HttpPool } from "@pool/http";

const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("pong") });
const http = new HttpPool({ origin: `http://127.0.0.1:${server.port}`, connections: 1 });
try {
  const response = await http.fetch("/ping");
  console.log(JSON.stringify({ status: response.status, body: await response.text() }));
} finally {
  await http.close();
  await server.stop(true);
}
