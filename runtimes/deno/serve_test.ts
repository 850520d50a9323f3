import { serveSmoke } from "../../tests/server/smoke.ts";
import { connect, dial } from "./mod.ts";
import { denoServeHost } from "./serve_host.ts";

serveSmoke("Deno", connect, dial, denoServeHost);
