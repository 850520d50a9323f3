import { serveSmoke } from "../../tests/server/smoke.ts";
import { connect, dial } from "./mod.ts";
import { bunServeHost } from "./serve_host.ts";

serveSmoke("Bun", connect, dial, bunServeHost);
