import { connect } from "kafka-metastore/node";
import { CreateMode, maybeThrow, OPEN_ACL_UNSAFE } from "kafka-metastore";

export async function quickstart(url = "memory://"): Promise<string[]> {
  const client = await connect(url, { sessionTimeoutMs: 18000 });
  try {
    const seen: string[] = [];
    client.registerZNodeChildChangeHandler({ path: "/brokers/ids", handleChildChange: () => seen.push("child change") });
    await client.handleRequests([
      { type: "create", path: "/brokers", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
      { type: "create", path: "/brokers/ids", data: null, acl: OPEN_ACL_UNSAFE, mode: CreateMode.Persistent },
      { type: "getChildren", path: "/brokers/ids", registerWatch: true },
    ]);
    const registered = await client.handleRequest({
      type: "create",
      path: "/brokers/ids/0",
      data: new TextEncoder().encode('{"host":"localhost","port":9092}'),
      acl: OPEN_ACL_UNSAFE,
      mode: CreateMode.Ephemeral,
    });
    maybeThrow(registered); // throws a KeeperError carrying the code if it failed
    const { stat } = await client.handleRequest({ type: "exists", path: "/brokers/ids/0" });
    seen.push(`ephemeralOwner is our session: ${stat?.ephemeralOwner === client.sessionId}`);
    return seen;
  } finally {
    await client.close();
  }
}
