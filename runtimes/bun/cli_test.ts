import process from "node:process";
import { cliSmoke } from "../../tests/cli/smoke.ts";
import { connect } from "./mod.ts";

cliSmoke("Bun", connect, [process.execPath, "runtimes/bun/cli/kmeta.ts"]);
