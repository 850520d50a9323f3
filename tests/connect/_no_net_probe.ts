// Run by runtimes/deno/connect_test.ts under Deno WITHOUT --allow-net: connect() must fail at
// once with the permission error, not wait out connectionTimeoutMs. Prints one JSON line per URL.
import { connect } from "../../runtimes/deno/mod.ts";
import { isKeeperError } from "../../core/mod.ts";
import process from "node:process";

for (const url of process.argv.slice(2)) {
  try {
    const client = await connect(url, { connectionTimeoutMs: 120_000 });
    await client.close();
    console.log(JSON.stringify({ url, connected: true }));
  } catch (e) {
    const k = isKeeperError(e) ? e : undefined;
    console.log(JSON.stringify({ url, code: k?.code, failure: k?.failure, host: k?.host, message: (e as Error).message }));
  }
}
