import { connect } from "kafka-metastore/node";
import { CreateMode, isKeeperError, OPEN_ACL_UNSAFE, toJson } from "kafka-metastore";

export async function firstContact(url = "memory:///kafka"): Promise<string> {
  // `await using` closes the client when the block ends, however it ends.
  await using client = await connect(url, {
    createChrootIfNecessary: true, // else a missing /kafka makes every request answer NoNode
    connectionTimeoutMs: 10_000, // for the first session, over all hosts
    onConnectionError: (e) => console.warn(`${e.host}: ${e.failure}`), // every failed attempt
    onHandlerError: (e, handler) => console.error(`handler ${handler} threw`, e), // default: logged
  });
  try {
    // Checked before anything is sent: mode must be a CreateMode, versions 32-bit integers.
    await client.handleRequest({ type: "delete", path: "/x", version: "0" as unknown as number });
  } catch (e) {
    if (!isKeeperError(e)) throw e; // [BadArguments] Invalid version of delete "/x": expected a 32-bit integer ...
  }
  await client.handleRequest({ type: "create", path: "/brokers", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent });
  const { stat } = await client.handleRequest({ type: "exists", path: "/brokers" });
  return toJson(stat); // bigints (zxids, times) as strings; JSON.stringify alone throws on them
}
