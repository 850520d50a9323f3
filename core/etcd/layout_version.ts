// The layout version key: which version of docs/etcd-layout.md a namespace is written in. A store
// refuses a namespace of another version instead of misreading it (its values and zxids differ).
import { ErrorCode, KeeperError } from "../errors.ts";
import { decodeUtf8, encodeJavaUtf8 } from "../zk/utf8.ts";

/**
 * 1: zxid = revision, no version key (the first layout wrote none); 2: zxid = revision << 8 | sub,
 * several writes per Txn, node and children values of format 2.
 */
export const LAYOUT_VERSION = 2;

/** The version key's value for this layout. */
export function layoutValue(): Uint8Array {
  return encodeJavaUtf8(String(LAYOUT_VERSION));
}

/** A namespace written in a layout this store does not know: use another prefix, or migrate. */
export class EtcdLayoutError extends KeeperError {
  override name = "EtcdLayoutError";
  /** The version found; 1 for a namespace without a version key. */
  readonly found: string;
  constructor(prefix: string, found: string) {
    super(
      ErrorCode.SystemError,
      `etcd prefix "${prefix}" holds key layout ${found}; this store reads and writes layout ${LAYOUT_VERSION} only (docs/etcd-layout.md): use another prefix or migrate`,
    );
    this.found = found;
  }
}

/** Throws EtcdLayoutError unless `value` (the version key's value; undefined when absent) is this layout. */
export function checkLayout(prefix: string, value: Uint8Array | undefined): void {
  const found = value === undefined ? "1" : decodeUtf8(value);
  if (found !== String(LAYOUT_VERSION)) throw new EtcdLayoutError(prefix, found);
}
