// Session handshake and frame headers: ConnectRequest/ConnectResponse (no header) and the two headers.
import { JuteReader } from "./jute_reader.ts";
import { writeFrame } from "./jute_writer.ts";
import { buffer, type Codec, int, long, optionalBool, record } from "./records_codec.ts";

/** The first frame a client sends; it has no RequestHeader. */
export interface ConnectRequest {
  /** Always 0. */
  protocolVersion: number;
  /** Highest zxid the client has seen; the server refuses a client ahead of it. */
  lastZxidSeen: bigint;
  /** Requested session timeout. */
  timeoutMs: number;
  /** 0 for a new session, else the session to resume. */
  sessionId: bigint;
  /** 16 bytes; zeros for a new session. */
  passwd: Uint8Array | null;
  /** Trailing byte sent by 3.4+ clients; absent when the peer left it out. */
  readOnly?: boolean;
}

/** The first frame a server sends; it has no ReplyHeader. */
export interface ConnectResponse {
  protocolVersion: number;
  /** Negotiated timeout; <= 0 means the session expired. */
  timeoutMs: number;
  /** 0 when the session to resume was invalid. */
  sessionId: bigint;
  passwd: Uint8Array | null;
  /** True when connected to a read-only server; absent when the server left the byte out. */
  readOnly?: boolean;
}

/** Precedes every request after the handshake. */
export interface RequestHeader {
  /** Client-chosen sequence number, or a reserved `Xid`. */
  xid: number;
  /** The request's OpCode. */
  type: number;
}

/** Precedes every reply after the handshake. */
export interface ReplyHeader {
  /** The request's xid, or a reserved `Xid`. */
  xid: number;
  /** The server's last processed zxid. */
  zxid: bigint;
  /** 0 or an ErrorCode; the body means something only when 0. */
  err: number;
}

export const connectRequestCodec: Codec<ConnectRequest> = record({
  protocolVersion: int,
  lastZxidSeen: long,
  timeoutMs: int,
  sessionId: long,
  passwd: buffer,
  readOnly: optionalBool,
});

export const connectResponseCodec: Codec<ConnectResponse> = record({
  protocolVersion: int,
  timeoutMs: int,
  sessionId: long,
  passwd: buffer,
  readOnly: optionalBool,
});

// The two headers are written out rather than made by record(): one is in every frame, and an
// object literal reads in about half the time of a record filled in field by field.
export const requestHeaderCodec: Codec<RequestHeader> = {
  write: (w, h) => void w.int(h.xid).int(h.type),
  read: (r) => ({ xid: r.int(), type: r.int() }),
};

export const replyHeaderCodec: Codec<ReplyHeader> = {
  write: (w, h) => void w.int(h.xid).long(h.zxid).int(h.err),
  read: (r) => ({ xid: r.int(), zxid: r.long(), err: r.int() }),
};

/** A ConnectRequest frame, length prefix included; the readOnly byte is written only when set. */
export function encodeConnectRequest(request: ConnectRequest): Uint8Array {
  return writeFrame((w) => connectRequestCodec.write(w, request));
}

/** Decodes a ConnectRequest frame body (server side); readOnly is present only if the client sent it. */
export function decodeConnectRequest(frameBody: Uint8Array): ConnectRequest {
  return connectRequestCodec.read(new JuteReader(frameBody));
}

/** A ConnectResponse frame; answer in the client's style (readOnly only if the client sent it). */
export function encodeConnectResponse(response: ConnectResponse): Uint8Array {
  return writeFrame((w) => connectResponseCodec.write(w, response));
}

/** Decodes a ConnectResponse frame body, with or without the trailing readOnly byte. */
export function decodeConnectResponse(frameBody: Uint8Array): ConnectResponse {
  return connectResponseCodec.read(new JuteReader(frameBody));
}
