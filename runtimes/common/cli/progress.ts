// Progress of a long command on standard error: a bar redrawn in place on a terminal (count, rate,
// ETA), plain lines every few seconds otherwise (logs, CI), so neither floods the other.
import type { CliHost } from "./host.ts";
import { count } from "./format.ts";

const BAR = 24;

export interface Progress {
  /** `done` of `total` so far (the total may still grow while the tree is being read). */
  update(done: number, total: number): void;
  /** Ends the bar (a newline on a terminal). */
  end(): void;
}

export function createProgress(host: CliHost, label: string, lineEveryMs: number = 2000): Progress {
  const started = host.now();
  let last = host.isTTY ? -Infinity : started;
  let drawn = false;
  let latest: [number, number] = [0, 0];
  const render = (done: number, total: number) => {
    const seconds = (host.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 && total > done ? `ETA ${Math.ceil((total - done) / rate)}s` : "";
    return { text: `${count(done)}/${count(total)} znodes, ${count(rate)}/s${eta ? `, ${eta}` : ""}`, share: total > 0 ? Math.min(1, done / total) : 0 };
  };
  return {
    update(done, total) {
      latest = [done, total];
      const now = host.now();
      if (now - last < (host.isTTY ? 100 : lineEveryMs)) return;
      last = now;
      const { text, share } = render(done, total);
      if (host.isTTY) {
        const filled = Math.round(share * BAR);
        host.stderr(`\r${label} [${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${Math.floor(share * 100)}% ${text}\x1b[K`);
        drawn = true;
      } else {
        host.stderr(`${label}: ${text}\n`);
      }
    },
    end() {
      if (!drawn) return;
      last = -Infinity; // the final count, however soon after the last redraw
      this.update(...latest);
      host.stderr("\n");
    },
  };
}
