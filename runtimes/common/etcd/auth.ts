// etcd's user/password auth for both transports: one token per client, obtained with
// Auth.Authenticate on first use and sent with every call and stream (gRPC: the `token` metadata
// header; the JSON gateway: the `Authorization` header, which etcd 3.4 reads as the same token).
// etcd forgets a simple token after --auth-token-ttl seconds without use (300 by default) and on
// restart, and then answers Unauthenticated "etcdserver: invalid auth token": the caller reports the
// refused token here, the next call authenticates again, and the refused call is retried once.
import { GrpcCode } from "../../../core/etcd/api.ts";
import type { EtcdError } from "../../../core/errors.ts";

export interface EtcdCredentials {
  username: string;
  password: string;
}

/** Calls Authenticate; rejects with etcd's InvalidArgument "authentication failed" for bad credentials. */
export type Authenticate = (name: string, password: string) => Promise<string>;

export class TokenAuth {
  readonly #credentials: EtcdCredentials | undefined;
  readonly #authenticate: Authenticate;
  /** The current token ("" while auth is off on the server), or the one Authenticate in flight. */
  #token: Promise<string> | undefined;
  /** What #token resolved to, so a refusal is matched synchronously. */
  #value: string | undefined;

  constructor(credentials: EtcdCredentials | undefined, authenticate: Authenticate) {
    this.#credentials = credentials;
    this.#authenticate = authenticate;
  }

  get enabled(): boolean {
    return this.#credentials !== undefined;
  }

  /**
   * The token to send, authenticating first when there is none; "" without credentials or when the
   * server has auth disabled. One Authenticate serves every call waiting for it.
   * @throws {EtcdError} what Authenticate rejected with (a wrong password: InvalidArgument).
   */
  token(): Promise<string> {
    const c = this.#credentials;
    if (!c) return Promise.resolve("");
    if (!this.#token) {
      this.#value = undefined;
      const pending = this.#authenticate(c.username, c.password).then((t) => {
        if (this.#token === pending) this.#value = t;
        return t;
      }, (e: EtcdError) => {
        // As etcd's Go client: credentials for a server without auth are not an error.
        if (e.grpcCode === GrpcCode.FailedPrecondition && /authentication is not enabled/.test(e.message)) {
          if (this.#token === pending) this.#value = "";
          return "";
        }
        // Not cached: the next call asks again (a wrong password is reported on every call, never retried here).
        if (this.#token === pending) this.#token = undefined;
        throw e;
      });
      this.#token = pending;
    }
    return this.#token;
  }

  /** Call options' headers for `token` (none when it is ""). */
  static headers(token: string): Record<string, string> | undefined {
    return token === "" ? undefined : { token };
  }

  /** etcd refused `token`: unless a newer one was obtained meanwhile, the next call authenticates again. */
  refused(token: string): void {
    if (this.#value === token) {
      this.#token = undefined;
      this.#value = undefined;
    }
  }
}

// An expired or unknown token (Unauthenticated "invalid auth token"), or one issued before an auth
// change (InvalidArgument "revision of auth store is old"): a new token fixes both.
const STALE_TOKEN = /invalid auth token|revision of auth store is old/;

/** True when etcd refused the call's token rather than the user. */
export function isStaleToken(e: EtcdError): boolean {
  return (e.grpcCode === GrpcCode.Unauthenticated || e.grpcCode === GrpcCode.InvalidArgument) && STALE_TOKEN.test(e.message);
}

/**
 * True when a watch was cancelled at its creation for a stale token: etcd reports that in the
 * response's cancel_reason ("rpc error: code = Unauthenticated desc = etcdserver: invalid auth token").
 */
export function isStaleTokenReason(cancelReason: string): boolean {
  return STALE_TOKEN.test(cancelReason);
}
