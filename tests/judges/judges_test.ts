// Third-party clients as judges: zkCli.sh, kazoo and Apache Curator each run a script against the
// real ZooKeeper (KMETA_ZK, plus one this test starts with the other extended-types setting) and
// against every judgeTargets() entry, and each target's transcript must equal the real ZooKeeper's
// with the same setting. A real ZooKeeper is required: without KMETA_ZK every test fails.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, CreateMode, ErrorCode, OPEN_ACL_UNSAFE } from "../../runtimes/node/mod.ts";
import { JUDGES } from "./judges.ts";
import { judgeTargets, type JudgeRun, type JudgeTarget, KMETA_ZK_UNSET } from "./targets.ts";
import { zkServer } from "../faults/zk_server.ts";

/**
 * Besides KMETA_ZK the test starts a second real ZooKeeper with the other extended-types setting
 * (scripts/servers/start-zk.sh), so targets with and without TTL nodes both have a reference.
 */
const OTHER_ZK_PORT = Number(process.env.KMETA_JUDGES_ZK_PORT ?? 21860);
const EXTENDED_TYPES_OPT = "-Dzookeeper.extendedTypesEnabled=true";
const CASE_TIMEOUT_MS = 300_000; // the first Curator run may fetch its jars

/** Asks the server to make a TTL node: ZooKeeper answers Unimplemented unless extended types are on. */
async function hasExtendedTypes(hostPort: string): Promise<boolean> {
  const client = await connect(`zk://${hostPort}`);
  try {
    const path = `/kmeta-judge-probe-${Math.random().toString(36).slice(2, 10)}`;
    const r = await client.handleRequest({
      type: "create", path, data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PersistentWithTtl, ttlMs: 60_000,
    });
    if (r.resultCode === ErrorCode.Unimplemented) return false;
    assert.equal(r.resultCode, ErrorCode.Ok, `probing ${hostPort} for TTL nodes`);
    await client.handleRequest({ type: "delete", path, version: -1 });
    return true;
  } finally {
    await client.close();
  }
}

function freshRun(target: JudgeTarget, judge: string): JudgeRun {
  const prefix = `/kmeta-judge-${judge.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}`;
  return { hostPort: target.hostPort, extendedTypes: target.extendedTypes, prefix };
}

/** What the real ZooKeeper must show, so a reference that went wrong is not taken as the truth. */
const SIGNS_OF_LIFE: Readonly<Record<string, readonly RegExp[]>> = {
  zkCli: [/^Created <P>\/eseq-0000000004$/m, /^Insufficient permission : <P>\/acl$/m, /^digest: alice$/m, /type:NodeCreated path:<P>\/cont\/c2\/deep$/m],
  kazoo: [/"RuntimeInconsistency"/, /"second leader",\s*"b"/, /"LOST"/],
  curator: [/^cache after create \/cache\/x\/deep: NODE_CREATED/m, /^latch leader after close: p2$/m, /^persistent node data: p$/m],
};
/** A TTL node made, in the judges that try one (kazoo 2.8 has no TTL nodes). */
const TTL_MADE: Readonly<Record<string, RegExp>> = { zkCli: /^Created <P>\/ttl$/m, curator: /^ttl node: /m };

if (!process.env.KMETA_ZK) {
  it("the judges need a real ZooKeeper", () => assert.fail(KMETA_ZK_UNSET));
} else {
  const hostPort = process.env.KMETA_ZK;
  const extendedTypes = await hasExtendedTypes(hostPort);
  const primary: JudgeTarget = { name: "ZooKeeper 3.8 (KMETA_ZK)", hostPort, extendedTypes };
  const other: JudgeTarget = {
    name: `ZooKeeper 3.8 (127.0.0.1:${OTHER_ZK_PORT}, started here)`,
    hostPort: `127.0.0.1:${OTHER_ZK_PORT}`,
    extendedTypes: !extendedTypes,
  };
  const otherServer = zkServer(OTHER_ZK_PORT, 2000, extendedTypes ? undefined : EXTENDED_TYPES_OPT);
  before(() => otherServer.start(), { timeout: 60_000 });
  after(() => otherServer.dispose());
  const real = new Map([primary, other].map((t) => [t.extendedTypes, t]));

  const transcripts = new Map<string, Promise<string>>();
  /** The real ZooKeeper's transcript for a judge and setting, made once and shared by the targets. */
  const reference = (judge: string, extendedTypes: boolean): Promise<string> => {
    const key = `${judge}/${extendedTypes}`;
    let transcript = transcripts.get(key);
    if (!transcript) transcripts.set(key, (transcript = JUDGES[judge]!(freshRun(real.get(extendedTypes)!, judge))));
    return transcript;
  };

  describe("judges on the real ZooKeeper", () => {
    for (const [extendedTypes, zk] of real) {
      for (const judge of Object.keys(JUDGES)) {
        it(`${judge} runs its script on ${zk.name}, extendedTypes=${extendedTypes}`, { timeout: CASE_TIMEOUT_MS }, async () => {
          const transcript = await reference(judge, extendedTypes);
          for (const sign of SIGNS_OF_LIFE[judge]!) assert.match(transcript, sign);
          const ttl = TTL_MADE[judge];
          if (ttl) assert.equal(ttl.test(transcript), extendedTypes, `a TTL node is made exactly when extended types are on`);
        });
      }
    }
  });

  for (const target of judgeTargets(primary)) {
    describe(`judges on ${target.name}`, () => {
      before(() => target.start?.());
      after(() => target.stop?.());
      for (const judge of Object.keys(JUDGES)) {
        it(`${judge}'s transcript equals the real ZooKeeper's (extendedTypes=${target.extendedTypes})`, { timeout: CASE_TIMEOUT_MS }, async () => {
          const expected = await reference(judge, target.extendedTypes);
          assert.equal(await JUDGES[judge]!(freshRun(target, judge)), expected);
        });
      }
    });
  }
}
