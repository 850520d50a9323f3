/**
 * The backend-agnostic conformance suite: every store must answer as ZooKeeper 3.8 does.
 * A runtime's conformance test calls `runConformance` once per store it can reach.
 * @module
 */
import type { ConformanceTarget } from "./target.ts";
import { requestsSuite } from "./requests_suite.ts";
import { statSuite } from "./stat_suite.ts";
import { multiSuite } from "./multi_suite.ts";
import { watchesSuite } from "./watches_suite.ts";
import { sessionsSuite } from "./sessions_suite.ts";
import { argumentsSuite } from "./arguments_suite.ts";
import { paritySuite } from "./parity_suite.ts";

export type { ConformanceTarget, Namespace } from "./target.ts";
export { memoryTarget } from "./memory_target.ts";
export { etcdTarget } from "./etcd_target.ts";
export type { CreateEtcdApi } from "./etcd_target.ts";
export { zkTarget } from "./zk_target.ts";
export type { ZkTargetDeps } from "./zk_target.ts";

/** Registers every conformance test for `target` with the runner (node:test API). */
export function runConformance(target: ConformanceTarget): void {
  requestsSuite(target);
  statSuite(target);
  multiSuite(target);
  watchesSuite(target);
  sessionsSuite(target);
  argumentsSuite(target);
  paritySuite(target);
}
