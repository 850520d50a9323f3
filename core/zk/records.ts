// Whole request and reply frames of the ZooKeeper 3.8 client protocol, for clients and servers alike.
// Layouts: zookeeper.jute; see /work/shared/reference/zookeeper-protocol.md §3-§6.
import { ErrorCode, KeeperError } from "../errors.ts";
import { JuteReader } from "./jute_reader.ts";
import { writeFrame } from "./jute_writer.ts";
import { OpCode, Xid } from "./opcodes.ts";
import { record } from "./records_codec.ts";
import { type WatcherEvent, watcherEventCodec } from "./records_data.ts";
import {
  multiReadRequestCodec,
  multiRequestCodec,
  multiResponseCodec,
  type WireMultiReadRequest,
  type WireMultiRequest,
  type WireMultiResponse,
} from "./records_multi.ts";
import {
  bodyCodec,
  type BodyTable,
  REQUEST_BODIES,
  RESPONSE_BODIES,
  type WireSingleRequest,
  type WireSingleResponse,
} from "./records_ops.ts";
import { type ReplyHeader, replyHeaderCodec, type RequestHeader, requestHeaderCodec } from "./records_session.ts";

/** A watch notification: the body of a reply with xid -1. */
export interface WireNotification {
  type: (typeof OpCode)["Notification"];
  event: WatcherEvent;
}

/** Every request after the handshake, tagged with its op code. */
export type ZkWireRequest = WireSingleRequest | WireMultiRequest | WireMultiReadRequest;

/** Every reply body, tagged with the op code of the request it answers (Notification for xid -1). */
export type ZkWireResponse = WireSingleResponse | WireMultiResponse | WireNotification;

/** A request frame as a server decodes it. */
export interface DecodedRequest {
  header: RequestHeader;
  request: ZkWireRequest;
}

/** A reply frame as a client decodes it. */
export interface ZkReply {
  header: ReplyHeader;
  /** Null when err is not 0 or the reply is only a header (delete, ping, auth, setWatches, ...). */
  body: ZkWireResponse | null;
}

const REQUESTS: BodyTable<ZkWireRequest> = {
  ...REQUEST_BODIES,
  [OpCode.Multi]: multiRequestCodec,
  [OpCode.MultiRead]: multiReadRequestCodec,
};

const RESPONSES: BodyTable<ZkWireResponse> = {
  ...RESPONSE_BODIES,
  [OpCode.Multi]: multiResponseCodec,
  [OpCode.MultiRead]: multiResponseCodec,
  [OpCode.Notification]: record({ event: watcherEventCodec }),
};

/**
 * A request frame: length prefix, RequestHeader, body. Use the reserved `Xid` for ping (-2),
 * auth (-4) and setWatches (-8).
 * @throws KeeperError BadArguments for an unknown op code or a value out of its jute range
 */
export function encodeRequest(xid: number, request: ZkWireRequest): Uint8Array {
  const body = bodyCodec(REQUESTS, request.type);
  if (body === undefined) {
    throw new KeeperError(ErrorCode.BadArguments, `Cannot encode request: unknown op code ${request.type}`);
  }
  return writeFrame((w) => {
    requestHeaderCodec.write(w, { xid, type: request.type });
    body.write(w, request);
  });
}

/** Reads only the RequestHeader, so a server can answer a request it cannot decode. */
export function decodeRequestHeader(frameBody: Uint8Array): RequestHeader {
  return requestHeaderCodec.read(new JuteReader(frameBody));
}

/**
 * Decodes a request frame body (after the handshake); trailing bytes are ignored, as Java's server does.
 * @throws KeeperError Unimplemented for an unknown op code, MarshallingError for malformed bytes
 */
export function decodeRequest(frameBody: Uint8Array): DecodedRequest {
  const r = new JuteReader(frameBody);
  const header = requestHeaderCodec.read(r);
  const body = bodyCodec(REQUESTS, header.type);
  if (body === undefined) {
    throw new KeeperError(
      ErrorCode.Unimplemented,
      `Cannot decode request xid ${header.xid}: unknown op code ${header.type}`,
    );
  }
  return { header, request: { type: header.type, ...body.read(r) } as ZkWireRequest };
}

/** A reply frame: length prefix, ReplyHeader and, unless `body` is null, the response record. */
export function encodeReply(header: ReplyHeader, body: ZkWireResponse | null): Uint8Array {
  return writeFrame((w) => {
    replyHeaderCodec.write(w, header);
    if (body === null) return;
    const codec = bodyCodec(RESPONSES, body.type);
    if (codec === undefined) {
      throw new KeeperError(ErrorCode.BadArguments, `Cannot encode reply: op code ${body.type} has no response record`);
    }
    codec.write(w, body);
  });
}

/**
 * Decodes a reply frame body. Notifications (xid -1) and the header-only replies to ping, auth and
 * setWatches decode on their own; any other xid answers the oldest pending request, whose op code
 * the caller passes as `expectedOpCode`. The body is read only when err is 0 and parsing stops at
 * its end: some servers append bytes to error replies.
 * @throws KeeperError MarshallingError for malformed bytes or a reply with nothing pending
 */
export function decodeReply(frameBody: Uint8Array, expectedOpCode?: OpCode): ZkReply {
  const r = new JuteReader(frameBody);
  const header = replyHeaderCodec.read(r);
  if (header.xid === Xid.Notification) {
    return { header, body: { type: OpCode.Notification, ...RESPONSES[OpCode.Notification].read(r) } };
  }
  if (header.xid === Xid.Ping || header.xid === Xid.Auth || header.xid === Xid.SetWatches) {
    return { header, body: null };
  }
  if (expectedOpCode === undefined) {
    throw new KeeperError(ErrorCode.MarshallingError, `Cannot decode reply xid ${header.xid}: no request is pending`);
  }
  const codec = header.err === ErrorCode.Ok ? bodyCodec(RESPONSES, expectedOpCode) : undefined;
  const body = codec === undefined ? null : ({ type: expectedOpCode, ...codec.read(r) } as ZkWireResponse);
  return { header, body };
}
