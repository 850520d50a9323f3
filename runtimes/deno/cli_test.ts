import process from "node:process";
import { cliSmoke } from "../../tests/cli/smoke.ts";
import { connect } from "./mod.ts";

cliSmoke("Deno", connect, [process.execPath, "run", "-A", "runtimes/deno/cli/kmeta.ts"]);
