import { serveSmoke } from "../../tests/server/smoke.ts";
import { connect, dial } from "./mod.ts";
import { nodeServeHost } from "./serve_host.ts";

serveSmoke("Node", connect, dial, nodeServeHost);
