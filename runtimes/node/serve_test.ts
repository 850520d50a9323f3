import { serveSmoke } from "../../tests/server/smoke.ts";
import { connect, dial } from "./mod.ts";

serveSmoke("Node", connect, dial);
