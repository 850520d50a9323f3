// Which etcd Txns only read: those may be sent again after an unknown outcome (and to any member),
// as a Range may; a Txn that writes may not.
import type { RequestOp, TxnRequest } from "./api.ts";

/** True when no branch of `txn` (nested Txns included) puts or deletes anything. */
export function isReadOnlyTxn(txn: TxnRequest): boolean {
  return txn.success.every(readsOnly) && txn.failure.every(readsOnly);
}

function readsOnly(op: RequestOp): boolean {
  if ("range" in op) return true;
  if ("txn" in op) return isReadOnlyTxn(op.txn);
  return false;
}
