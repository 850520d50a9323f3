// multi (14) and multiRead (22): a MultiHeader before each op or result, and a done header closing the list.
import { ErrorCode, KeeperError } from "../errors.ts";
import type { JuteReader } from "./jute_reader.ts";
import type { JuteWriter } from "./jute_writer.ts";
import { OpCode } from "./opcodes.ts";
import { bool, type Codec, int, record } from "./records_codec.ts";
import {
  bodyCodec,
  type BodyTable,
  REQUEST_BODIES,
  RESPONSE_BODIES,
  type WireCreate2Response,
  type WireCreateRequest,
  type WireCreateResponse,
  type WireCreateTtlRequest,
  type WireGetChildrenResponse,
  type WireGetDataResponse,
  type WireSetDataRequest,
  type WireStatResponse,
  type WireVersionRequest,
  type WireWatchableRequest,
} from "./records_ops.ts";

type Op = typeof OpCode;

/** Ops a write multi may hold: create, create2, createContainer, createTTL, delete, check, setData. */
export type WireMultiOp = WireCreateRequest | WireCreateTtlRequest | WireVersionRequest | WireSetDataRequest;
/** Ops a multiRead may hold: getData and getChildren. */
export type WireMultiReadOp = WireWatchableRequest & { type: Op["GetData"] | Op["GetChildren"] };

/** Applies all ops in one transaction, or none. An empty list is legal but crashed some servers. */
export interface WireMultiRequest {
  type: Op["Multi"];
  ops: readonly WireMultiOp[];
}
/** Reads that succeed or fail one by one. */
export interface WireMultiReadRequest {
  type: Op["MultiRead"];
  ops: readonly WireMultiReadOp[];
}

/** A delete or check that succeeded: a header without a body. */
export interface WireEmptyResult {
  type: Op["Delete"] | Op["Check"];
}
/** A failed op, or in a failed write multi any op: 0 before the failure, -2 after it. */
export interface WireErrorResult {
  type: Op["Error"];
  err: number;
}
/** One op's outcome; ops sent as createContainer or createTTL come back as create2. */
export type WireMultiResult =
  | WireCreateResponse
  | (WireCreate2Response & { type: Op["Create2"] })
  | WireEmptyResult
  | (WireStatResponse & { type: Op["SetData"] })
  | WireGetChildrenResponse
  | WireGetDataResponse
  | WireErrorResult;

/** Replies to multi and multiRead (when the header's err is 0). */
export interface WireMultiResponse {
  type: Op["Multi"] | Op["MultiRead"];
  results: WireMultiResult[];
}

interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}
const multiHeaderCodec = record({ type: int, done: bool, err: int });
const END: MultiHeader = { type: OpCode.Error, done: true, err: -1 };

const RESULT_BODIES: BodyTable<WireMultiResult> = {
  [OpCode.Create]: RESPONSE_BODIES[OpCode.Create],
  [OpCode.Create2]: RESPONSE_BODIES[OpCode.Create2],
  [OpCode.Delete]: record({}),
  [OpCode.Check]: record({}),
  [OpCode.SetData]: RESPONSE_BODIES[OpCode.SetData],
  [OpCode.GetChildren]: RESPONSE_BODIES[OpCode.GetChildren],
  [OpCode.GetData]: RESPONSE_BODIES[OpCode.GetData],
  [OpCode.Error]: record({ err: int }),
};

// Each entry is a MultiHeader then the body `table` holds for its type; the done header ends the list.
// Every header takes 9 bytes, so a hostile frame ends the loop by running out of bytes.
function headedList<T extends { type: number }>(
  what: string,
  table: object,
  headerOf: (entry: T) => MultiHeader,
): Codec<T[]> {
  return {
    write(w: JuteWriter, entries: readonly T[]) {
      for (const entry of entries) {
        const body = bodyCodec(table, entry.type);
        if (body === undefined) {
          throw new KeeperError(ErrorCode.BadArguments, `Cannot write ${what}: op type ${entry.type} is not allowed`);
        }
        multiHeaderCodec.write(w, headerOf(entry));
        body.write(w, entry);
      }
      multiHeaderCodec.write(w, END);
    },
    read(r: JuteReader) {
      const entries: T[] = [];
      for (let header = multiHeaderCodec.read(r); !header.done; header = multiHeaderCodec.read(r)) {
        const body = bodyCodec(table, header.type);
        if (body === undefined) {
          throw new KeeperError(
            ErrorCode.MarshallingError,
            `Cannot read ${what}: op type ${header.type} is not allowed`,
          );
        }
        entries.push({ type: header.type, ...body.read(r) } as T);
      }
      return entries;
    },
  };
}

// Requests carry err -1 in every header, as the Java client writes them.
const opHeader = (op: { type: number }): MultiHeader => ({ type: op.type, done: false, err: -1 });
const resultHeader = (result: WireMultiResult): MultiHeader => ({
  type: result.type,
  done: false,
  err: result.type === OpCode.Error ? result.err : 0,
});

const { Create, Create2, CreateContainer, CreateTtl, Delete, Check, SetData, GetData, GetChildren } = OpCode;
const pick = (types: number[]): object =>
  Object.fromEntries(types.map((type) => [type, bodyCodec(REQUEST_BODIES, type)]));

/** Body of a multi request. */
export const multiRequestCodec: Codec<Omit<WireMultiRequest, "type">> = record({
  ops: headedList<WireMultiOp>(
    "multi",
    pick([Create, Create2, CreateContainer, CreateTtl, Delete, Check, SetData]),
    opHeader,
  ),
});

/** Body of a multiRead request. */
export const multiReadRequestCodec: Codec<Omit<WireMultiReadRequest, "type">> = record({
  ops: headedList<WireMultiReadOp>("multiRead", pick([GetData, GetChildren]), opHeader),
});

/** Body of a multi or multiRead reply. */
export const multiResponseCodec: Codec<Omit<WireMultiResponse, "type">> = record({
  results: headedList<WireMultiResult>("multi result", RESULT_BODIES, resultHeader),
});
