import { connectErrorsSuite } from "../../tests/connect/connect_errors_suite.ts";
import { connect } from "./mod.ts";

connectErrorsSuite("node", connect);
