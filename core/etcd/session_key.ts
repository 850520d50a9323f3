// The value of a session key (docs/etcd-layout.md). A library client's session writes it empty; a
// ZooKeeper-protocol server's session writes its password and timeout, so that any server over the
// same prefix can resume it, and the token of the handle serving it, so that the server it left
// learns the session moved.
import { decodeUtf8, encodeJavaUtf8 } from "../zk/utf8.ts";

const FORMAT = 1;

export interface SessionKeyValue {
  password: Uint8Array;
  /** The timeout the session was granted, in ms. */
  timeoutMs: number;
  owner: string;
}

/** format, timeout, password length. */
const HEADER = 6;

export function encodeSessionKey(value: SessionKeyValue): Uint8Array {
  const owner = encodeJavaUtf8(value.owner);
  const out = new Uint8Array(HEADER + value.password.length + owner.length);
  const view = new DataView(out.buffer);
  out[0] = FORMAT;
  view.setUint32(1, value.timeoutMs);
  out[5] = value.password.length;
  out.set(value.password, HEADER);
  out.set(owner, HEADER + value.password.length);
  return out;
}

/** Undefined for an empty value (a library session: it cannot be resumed by a server) or another format. */
export function decodeSessionKey(bytes: Uint8Array): SessionKeyValue | undefined {
  if (bytes.length < HEADER || bytes[0] !== FORMAT || bytes.length < HEADER + bytes[5]!) return undefined;
  const end = HEADER + bytes[5]!;
  const timeoutMs = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  return { password: bytes.slice(HEADER, end), timeoutMs, owner: decodeUtf8(bytes.subarray(end)) };
}
