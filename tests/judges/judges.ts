// The three judges, each a program written against a third-party ZooKeeper client, run against one
// server and reduced to a transcript that must not depend on which server answered.
import { fileURLToPath } from "node:url";
import { runProgram } from "./run.ts";
import type { JudgeRun } from "./targets.ts";
import { zkCliJudge } from "./zkcli_judge.ts";

export type Judge = (run: JudgeRun) => Promise<string>;

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Debian's python3-kazoo lives in the system Python, not in whatever python3 is first on PATH. */
const kazooJudge: Judge = (run) =>
  runProgram("/usr/bin/python3", [here("kazoo_judge.py"), run.hostPort, run.prefix], { timeoutMs: 90_000 });

let curatorClassPath: Promise<string> | undefined;

/** Built once per process: the first call may fetch the jars from Maven Central. */
const curatorJudge: Judge = async (run) => {
  curatorClassPath ??= runProgram("bash", [here("curator/build.sh")], { timeoutMs: 240_000 }).then((s) => s.trim());
  const classPath = await curatorClassPath;
  return runProgram(
    "java",
    ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath, "kmeta.judges.CuratorJudge", run.hostPort, run.prefix, String(run.extendedTypes)],
    { timeoutMs: 120_000 },
  );
};

export const JUDGES: Readonly<Record<string, Judge>> = { zkCli: zkCliJudge, kazoo: kazooJudge, curator: curatorJudge };
