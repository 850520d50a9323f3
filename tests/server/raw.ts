// Raw ZooKeeper frames for tests that talk to `kmeta serve` below any client library.
import { encodeConnectRequest } from "../../core/zk/records_session.ts";
import { OpCode } from "../../core/zk/opcodes.ts";

/** A ConnectRequest for a new session with a 4 s timeout. */
export const hello = (): Uint8Array =>
  encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeoutMs: 4000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false });

/** The 4-byte length a frame starts with. */
export const lengthPrefix = (n: number): Uint8Array => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/** A getData request for `path`, no watch, xid 0. */
export function getDataFrame(path: string): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  const frame = new Uint8Array(4 + 8 + 4 + bytes.length + 1);
  new DataView(frame.buffer).setInt32(0, frame.length - 4);
  new DataView(frame.buffer).setInt32(8, OpCode.GetData);
  new DataView(frame.buffer).setInt32(12, bytes.length);
  frame.set(bytes, 16);
  return frame;
}
