// TokenAuth without a server: one Authenticate for concurrent callers, a refused token replaced once,
// a stale refusal ignored, and etcd's "authentication is not enabled" taken as "no token".
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EtcdError, GrpcCode } from "../../core/mod.ts";
import { isStaleToken, TokenAuth } from "../../runtimes/common/etcd/auth.ts";

describe("TokenAuth", () => {
  it("authenticates once for concurrent callers and again only after the current token is refused", async () => {
    let calls = 0;
    const auth = new TokenAuth({ username: "u", password: "p" }, () => Promise.resolve(`t${++calls}`));
    assert.deepEqual(await Promise.all([auth.token(), auth.token()]), ["t1", "t1"]);
    auth.refused("t0"); // an older token: ignored
    assert.equal(await auth.token(), "t1");
    auth.refused("t1");
    assert.equal(await auth.token(), "t2");
    assert.equal(calls, 2);
    assert.deepEqual(TokenAuth.headers("t2"), { token: "t2" });
    assert.equal(TokenAuth.headers(""), undefined);
  });

  it("reports a wrong password on every call without caching it", async () => {
    let calls = 0;
    const auth = new TokenAuth({ username: "u", password: "bad" }, () => {
      calls++;
      return Promise.reject(new EtcdError(GrpcCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password"));
    });
    await assert.rejects(auth.token(), /authentication failed/);
    await assert.rejects(auth.token(), /authentication failed/);
    assert.equal(calls, 2);
  });

  it("sends no token without credentials or when the server has auth disabled", async () => {
    assert.equal(await new TokenAuth(undefined, () => Promise.reject(new Error("not called"))).token(), "");
    const off = new TokenAuth({ username: "u", password: "p" }, () =>
      Promise.reject(new EtcdError(GrpcCode.FailedPrecondition, "etcdserver: authentication is not enabled")));
    assert.equal(await off.token(), "");
  });

  it("tells a stale token from a refused user", () => {
    assert.ok(isStaleToken(new EtcdError(GrpcCode.Unauthenticated, "etcdserver: invalid auth token")));
    assert.ok(isStaleToken(new EtcdError(GrpcCode.InvalidArgument, "etcdserver: revision of auth store is old")));
    assert.ok(!isStaleToken(new EtcdError(GrpcCode.PermissionDenied, "etcdserver: permission denied")));
    assert.ok(!isStaleToken(new EtcdError(GrpcCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password")));
  });
});
