// The zkCli.sh judge: ZooKeeper's own shell (Debian's /usr/share/zookeeper/bin/zkCli.sh) runs one
// script of commands against a server in one JVM, commands fed on stdin, and its output becomes a
// transcript with what legitimately differs between servers normalised away.
import { createHash } from "node:crypto";
import { createLabeler } from "./labels.ts";
import { runProgram } from "./run.ts";
import type { JudgeRun } from "./targets.ts";

const ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh";
const DIGEST_USER = "alice:secret";

/** The id part of a digest ACL: user:base64(sha1(user:password)). */
function digestId(userPassword: string): string {
  const user = userPassword.slice(0, userPassword.indexOf(":"));
  return `${user}:${createHash("sha1").update(userPassword).digest("base64")}`;
}

/**
 * The commands: zkCli's data, ACL, watch and session commands; `P` is the run's own
 * path prefix. Errors are part of the script: their messages name the server's result codes.
 */
function script(P: string, extendedTypes: boolean): string {
  const ttl = [
    // Without extended types the server answers Unimplemented, which is also compared.
    `create -t 5000 ${P}/ttl t`,
    `stat ${P}/ttl`,
    `create -s -t 5000 ${P}/ttlseq- x`,
    `ls ${P}`,
  ];
  return [
    `create ${P} root`,
    `create ${P}/plain data1`,
    `create ${P}/plain again`,
    `create ${P}/missing/child x`,
    `create -e ${P}/eph edata`,
    `create -s ${P}/seq- s`,
    `create -s ${P}/seq- s`,
    `create -e -s ${P}/eseq- es`,
    `create -c ${P}/cont`,
    `create -c ${P}/cont/item c`,
    `get ${P}/plain`,
    `get -s ${P}/plain`,
    `stat ${P}/eph`,
    `stat ${P}/cont`,
    `stat ${P}/nothing`,
    `set ${P}/plain data2`,
    `set -s -v 1 ${P}/plain data3`,
    `set -v 7 ${P}/plain bad`,
    `ls ${P}`,
    `ls -s ${P}`,
    `ls -R ${P}`,
    `getEphemerals ${P}`,
    `getAllChildrenNumber ${P}`,
    `delete ${P}`,
    `delete ${P}/nothing`,
    `delete -v 9 ${P}/seq-0000000002`,
    `delete -v 0 ${P}/seq-0000000002`,
    `stat ${P}`,
    `addWatch ${P}/plain`,
    `addWatch -m PERSISTENT_RECURSIVE ${P}/cont`,
    `set ${P}/plain w1`,
    `set ${P}/plain w2`,
    `create ${P}/cont/c2 x`,
    `set ${P}/cont/c2 y`,
    `create ${P}/cont/c2/deep z`,
    `deleteall ${P}/cont/c2`,
    `sync ${P}`,
    // One-shot watches fire once; removing one tells the watcher.
    `create ${P}/once o`,
    `get -w ${P}/once`,
    `set ${P}/once o1`,
    `set ${P}/once o2`,
    `get -w ${P}/once`,
    `removewatches ${P}/once`,
    `set ${P}/once o3`,
    `stat -w ${P}/later`,
    `create ${P}/later l`,
    `create ${P}/kids`,
    `ls -w ${P}/kids`,
    `create ${P}/kids/k1`,
    `create ${P}/kids/k2`,
    `sync ${P}`,
    // The server's own subtree.
    `ls /zookeeper`,
    `stat /zookeeper`,
    `stat /zookeeper/quota`,
    `getAcl /zookeeper`,
    ...(extendedTypes ? ttl : ttl.filter((c) => c.startsWith("create"))),
    `whoami`,
    `getAcl ${P}/plain`,
    `getAcl -s ${P}/plain`,
    `create ${P}/acl secret`,
    `setAcl ${P}/acl digest:${digestId(DIGEST_USER)}:cdrwa`,
    `getAcl ${P}/acl`,
    `get ${P}/acl`,
    `set ${P}/acl x`,
    // The auth scheme needs an authenticated id: InvalidACL until addauth.
    `create ${P}/authacl a auth::cdrwa`,
    `create ${P}/ipacl i ip:127.0.0.1:cdrwa`,
    `getAcl ${P}/ipacl`,
    `get ${P}/ipacl`,
    `create ${P}/ipother i ip:10.1.2.3:cdrwa`,
    `get ${P}/ipother`,
    `ls ${P}/ipother`,
    `create ${P}/locked l world:anyone:rwa`,
    `create ${P}/locked/child c`,
    `getAcl ${P}/locked`,
    `addauth digest ${DIGEST_USER}`,
    `whoami`,
    `getAcl ${P}/acl`,
    `get ${P}/acl`,
    `create ${P}/authacl a auth::cdrwa`,
    `getAcl ${P}/authacl`,
    `create ${P}/mine m`,
    `setAcl ${P}/mine auth::cdrwa`,
    `getAcl -s ${P}/mine`,
    `create ${P}/ro r`,
    `setAcl ${P}/ro world:anyone:r`,
    `set ${P}/ro x`,
    `get ${P}/ro`,
    `setAcl -v 5 ${P}/ro world:anyone:cdrwa`,
    `setAcl -v 1 ${P}/ro world:anyone:cdrwa`,
    `set ${P}/ro x`,
    `getAllChildrenNumber ${P}`,
    // The watched nodes go one by one: deleteall's order follows the server's children order.
    `delete ${P}/cont/item`,
    `delete ${P}/cont`,
    `delete ${P}/plain`,
    // deleteall lists every node, and this one does not let us read it; deleting needs only the parent.
    `delete ${P}/ipother`,
    `deleteall ${P}`,
    `stat ${P}`,
    // zkCli exits with the last command's status: end on one that succeeds.
    `whoami`,
    `quit`,
  ].map((c) => c + "\n").join("");
}

const TIME_SLACK_MS = 10 * 60_000;

/** JVM start-up noise and the shell's banner: the same for every server, so not compared. */
const NOISE = [/^SLF4J: /, /^Connecting to /, /^Welcome to ZooKeeper!$/, /^JLine support is /, /^WATCHER::$/, /^$/];

/**
 * The transcript: command output with zxids, times and session ids labelled, then the watch events
 * in the order they came. Events are printed by the client's event thread, so where they fall among
 * the main thread's lines is a race; their own order is the server's and is kept.
 */
function normaliseZkCli(output: string, P: string, nowMs: number): string {
  // The server's own nodes carry time 0; every other time is the server's clock, near ours.
  const time = (printed: string) => {
    const ms = Date.parse(printed);
    if (ms === 0) return "<epoch>";
    return Math.abs(ms - nowMs) < TIME_SLACK_MS ? "<time>" : `<time off by ${Math.round((ms - nowMs) / 1000)} s>`;
  };
  const zxid = createLabeler("zxid");
  const session = createLabeler("session");
  const lines: string[] = [];
  const events: string[] = [];
  for (const raw of output.split("\n")) {
    const line = raw.replaceAll(P, "<P>").trimEnd();
    if (NOISE.some((n) => n.test(line))) continue;
    if (line.startsWith("WatchedEvent ")) {
      // The shell may exit before its event thread prints the close of its own session.
      if (!line.startsWith("WatchedEvent state:Closed ")) events.push(line);
      continue;
    }
    lines.push(
      line
        // 0x0 is "before any transaction" (the server's own nodes): kept as it is.
        .replace(/^([cmp]Zxid) = (0x[0-9a-f]+)$/, (all, field, value) => value === "0x0" ? all : `${field} = ${zxid(value)}`)
        .replace(/^([cm]time) = (.+)$/, (_, field, value) => `${field} = ${time(value)}`)
        // 0x0 is "not ephemeral" (containers and TTL nodes too); anything else is a session id.
        .replace(/^ephemeralOwner = (0x[0-9a-f]+)$/, (all, value) => value === "0x0" ? all : `ephemeralOwner = ${session(value)}`)
        // getEphemerals lists a hash set of the server's: the order carries no meaning.
        .replace(/^\[(<P>.*)\]$/, (_, list: string) => `[${list.split(", ").sort().join(", ")}]`),
    );
  }
  return [...sortPathRuns(lines), "-- watch events, in order", ...events].join("\n") + "\n";
}

/** `ls -R` prints one path a line in the order it walked the tree: compared as a set. */
function sortPathRuns(lines: readonly string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  for (const line of [...lines, ""]) {
    if (line.startsWith("<P>")) {
      run.push(line);
      continue;
    }
    out.push(...run.sort());
    run = [];
    if (line !== "") out.push(line);
  }
  return out;
}

export async function zkCliJudge(run: JudgeRun): Promise<string> {
  const output = await runProgram(ZKCLI, ["-server", run.hostPort, "-timeout", "30000"], {
    input: script(run.prefix, run.extendedTypes),
    timeoutMs: 60_000,
    mergeStderr: true,
    // A short-lived client: a small heap and no JIT tiers beyond C1 start faster.
    env: { CLIENT_JVMFLAGS: "-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC" },
  });
  return normaliseZkCli(output, run.prefix, Date.now());
}
