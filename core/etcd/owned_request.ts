// Writes wait in a session's queue and are planned later (write_pipeline.ts), so they must not see
// the caller change its buffers after the call: ZooKeeper's client serialises a request when called.
import type { WriteRequest } from "./plan.ts";

const copy = (data: Uint8Array | null) => (data === null ? null : data.slice());

/** `request` with its own copies of every data buffer. */
export function ownedRequest(request: WriteRequest): WriteRequest {
  switch (request.type) {
    case "create":
    case "setData":
      return { ...request, data: copy(request.data) };
    case "multi":
      return { ...request, ops: request.ops.map((op) => (op.type === "create" || op.type === "setData" ? { ...op, data: copy(op.data) } : op)) };
    default:
      return request;
  }
}
