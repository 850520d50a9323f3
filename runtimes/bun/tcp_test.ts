import { dialChecks } from "../../tests/conformance/dial_checks.ts";
import { dial } from "./tcp.ts";

dialChecks("Bun dial() (Bun.connect)", dial);
