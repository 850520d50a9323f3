// The `./web` entry in a real browser: tests/browser/_page.ts (connect() from runtimes/web/mod.ts:
// the fetch-only etcd transport, core's etcd store and the client) is bundled for platform "browser"
// (any node: import fails the bundle), served from 127.0.0.1 and run in headless Chromium against
// the etcd at KMETA_ETCD, whose gateway answers CORS with "*". Needs /usr/bin/chromium
// (scripts/install.sh installs it; CHROMIUM overrides the path) and fails, rather than skips,
// without it or without KMETA_ETCD.
//
//   KMETA_ETCD=127.0.0.1:23790 node --import tsx --test tests/browser/gateway_browser_test.ts
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { type BrowserContext, chromium } from "playwright-core";
import { ErrorCode } from "../../core/mod.ts";
import type { ScenarioResult } from "./_page.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function etcdEndpoint(): string {
  const value = process.env.KMETA_ETCD;
  if (!value) {
    throw new Error("KMETA_ETCD is not set: start etcd 3.4 (bash scripts/servers/start-etcd.sh DIR) and export KMETA_ETCD=127.0.0.1:PORT");
  }
  return value;
}

describe("the ./web entry in headless Chromium", () => {
  let bundle: { code: string; inputs: string[] };
  let server: Server | undefined;
  let pageUrl = "";
  let context: BrowserContext | undefined;
  let profile: string | undefined;

  before(async () => {
    const result = await esbuild.build({
      entryPoints: [join(HERE, "_page.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    bundle = { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
    const html = `<!doctype html><meta charset="utf-8"><title>kmeta</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>`;
    server = createServer((req, res) => {
      if (req.url === "/page.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle.code);
      else if (req.url === "/") res.writeHead(200, { "content-type": "text/html" }).end(html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(address && typeof address === "object");
    pageUrl = `http://127.0.0.1:${address.port}/`;
  });

  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await new Promise((resolve) => server ? server.close(resolve) : resolve(undefined));
  });

  it("bundles for the browser with no node: module", () => {
    const nodeInputs = bundle.inputs.filter((f) => f.startsWith("node:") || f.includes("node_modules"));
    assert.deepEqual(nodeInputs, []);
    assert.ok(bundle.inputs.some((f) => f.endsWith("runtimes/web/mod.ts")));
    assert.ok(bundle.inputs.some((f) => f.endsWith("gateway_api.ts")));
    assert.ok(bundle.inputs.some((f) => f.endsWith("etcd_store.ts")));
  });

  it("connect(): creates, reads, fires a watch on another client's setData, closes a session; refuses zk://", { timeout: 60_000 }, async () => {
    const endpoint = etcdEndpoint();
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install.sh (apt-get install chromium) or set CHROMIUM`);
    profile = mkdtempSync(join(tmpdir(), "kmeta-chromium-"));
    // A persistent context is how Playwright takes a --user-data-dir (a fresh one per run).
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    const page = context.pages()[0] ?? await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    await page.goto(pageUrl);
    await page.waitForFunction(() => "kmetaScenario" in globalThis);
    const result = await page.evaluate(
      (etcd) => (globalThis as unknown as { kmetaScenario(e: string): Promise<ScenarioResult> }).kmetaScenario(etcd),
      endpoint,
    );
    console.log(`  in ${result.userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0]}:\n    ${result.steps.join("\n    ")}`);
    assert.equal(result.data, "hello");
    assert.equal(result.changed, "world");
    assert.equal(result.ephemeralSeenByB, true);
    assert.equal(result.ephemeralAfterClose, -101, "NoNode: the closed session's ephemeral is gone");
    assert.equal(result.stateAfterClose, "CLOSED");
    assert.deepEqual(result.refused, { zk: ErrorCode.BadArguments, grpc: ErrorCode.BadArguments, tls: ErrorCode.BadArguments });
    assert.deepEqual(result.memoryChildren.sort(), ["m", "zookeeper"]);
    assert.match(result.userAgent, /Chrome\//);
    assert.deepEqual(problems, []);
  });
});
