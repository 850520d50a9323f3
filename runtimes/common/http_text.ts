// The smallest HTTP/1.1 a Prometheus scraper needs, over any runtime's listener: one GET, one text
// answer, then close. Written on ServerChannel so the three runtimes share it.
import type { ServerChannel } from "../../core/transport.ts";

const MAX_REQUEST_BYTES = 8192;

/** Answers `GET path` with `body()` (Prometheus text format); anything else with 404. */
export async function serveHttpText(channel: ServerChannel, path: string, body: () => string): Promise<void> {
  let head = "";
  // next() rather than for-await: leaving a for-await loop early ends `incoming`, which closes the
  // socket before the answer is written.
  const chunks = channel.incoming[Symbol.asyncIterator]();
  try {
    while (!head.includes("\r\n\r\n") && head.length <= MAX_REQUEST_BYTES) {
      const next = await chunks.next();
      if (next.done) break;
      head += String.fromCharCode(...next.value);
    }
  } catch {
    // The scraper went away.
  }
  const [method, target] = head.split(" ", 3);
  const found = method === "GET" && target?.split("?")[0] === path;
  const text = found ? body() : "not found\n";
  const bytes = new TextEncoder().encode(text);
  const status = found ? "200 OK" : "404 Not Found";
  channel.write(new TextEncoder().encode(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
  ));
  channel.write(bytes);
  channel.close();
}
