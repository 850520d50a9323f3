import { connectErrorsSuite } from "../../tests/connect/connect_errors_suite.ts";
import { connectOptionsSuite } from "../../tests/connect/connect_options_suite.ts";
import { connect } from "./mod.ts";

connectErrorsSuite("bun", connect);
connectOptionsSuite("bun", connect);
