// The ids ZooKeeper's digest provider gives a client's credentials, for every store that judges ACLs
// itself (memory, etcd, and kmeta serve's connections).
import type { Credentials, Id } from "../api/acl.ts";
import { encodeBase64 } from "../base64.ts";
import { sha1 } from "../sha1.ts";
import { decodeUtf8, encodeJavaUtf8 } from "../zk/utf8.ts";
import { ErrorCode, KeeperError } from "../errors.ts";

/**
 * ZooKeeper's DigestAuthenticationProvider.generateDigest: `user:base64(sha1("user:password"))`
 * (without a colon the whole text is the user).
 */
export function digestId(userPassword: string): string {
  const colon = userPassword.indexOf(":");
  const user = colon < 0 ? userPassword : userPassword.slice(0, colon);
  return user + ":" + encodeBase64(sha1(encodeJavaUtf8(userPassword)));
}

/**
 * The id digest credentials authenticate as, for a store that judges ACLs itself.
 * @throws {KeeperError} BadArguments for another scheme: an in-process client has no address for
 * `ip`, and these stores know no sasl or x509.
 */
export function requireDigest(credentials: Credentials, store: string): Id {
  if (credentials.scheme !== "digest") {
    throw new KeeperError(ErrorCode.BadArguments, `${store} takes digest credentials only, got scheme ${JSON.stringify(credentials.scheme)}`);
  }
  const text = typeof credentials.auth === "string" ? credentials.auth : decodeUtf8(credentials.auth);
  return { scheme: "digest", id: digestId(text) };
}
