// What `kmeta serve` needs from Node: its listener, random bytes, signals, files, standard error.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ServeHost } from "../common/serve.ts";
import { listen } from "./listen.ts";
import { dial } from "./tcp.ts";

export const nodeServeHost: ServeHost = {
  listen,
  dial,
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  onStop(fn) {
    const once = () => {
      process.off("SIGINT", once);
      process.off("SIGTERM", once);
      fn();
    };
    process.on("SIGINT", once);
    process.on("SIGTERM", once);
  },
  readFile: (path) => readFile(path, "utf8"),
  log: (line) => console.error(line),
  runtime: `node ${process.version}`,
};
