import { memoryTarget, runConformance } from "../../tests/conformance/mod.ts";
import { connect, systemClock } from "./mod.ts";

runConformance(memoryTarget(connect, systemClock));
