import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareKeyPath, depthOf, hasPrefix, KeyLayout, prefixEnd } from "./keys.ts";
import { zxidOf } from "./zxid.ts";
import { decodeChildren, decodeNode, encodeChildren, encodeNode, NodeFlag, znodeOf } from "./codec.ts";
import { statOf } from "../tree/node.ts";
import { decodeUtf8, encodeJavaUtf8 } from "../zk/utf8.ts";
import { CONTAINER_EPHEMERAL_OWNER } from "../api/create_mode.ts";
import type { KeyValue } from "./api.ts";

const text = (b: Uint8Array) => decodeUtf8(b);
const keys = new KeyLayout("ns/");

describe("KeyLayout", () => {
  it("depthOf() counts segments, the root being 0", () => {
    assert.equal(depthOf("/"), 0);
    assert.equal(depthOf("/a"), 1);
    assert.equal(depthOf("/a/b/c"), 3);
  });

  it("node() puts the depth before the path; children() and the singletons are tagged", () => {
    assert.equal(text(keys.node("/")), "ns/n0000/");
    assert.equal(text(keys.node("/brokers/ids")), "ns/n0002/brokers/ids");
    assert.equal(text(keys.children("/brokers")), "ns/c/brokers");
    assert.equal(text(keys.marker()), "ns/m");
    assert.equal(text(keys.session(0x64eba21621ed7dc5n)), "ns/s64eba21621ed7dc5");
  });

  it("childRange() holds a node's direct children and nothing deeper or beside it", () => {
    const r = keys.childRange("/a");
    const inside = (path: string) => {
      const k = keys.node(path);
      return hasPrefix(k, r.key) && text(k) < text(r.rangeEnd);
    };
    assert.ok(inside("/a/b"));
    assert.ok(inside("/a/zzz"));
    assert.ok(!inside("/a/b/c"), "grandchild");
    assert.ok(!inside("/ab"), "sibling with the same start");
    assert.ok(!inside("/a"), "the node itself");
    const root = keys.childRange("/");
    assert.equal(text(root.key), "ns/n0001/");
    assert.ok(hasPrefix(keys.node("/x"), root.key));
  });

  it("prefixEnd() increments the last byte below 0xff", () => {
    assert.deepEqual(prefixEnd(new Uint8Array([1, 2])), new Uint8Array([1, 3]));
    assert.deepEqual(prefixEnd(new Uint8Array([1, 0xff])), new Uint8Array([2]));
    assert.deepEqual(prefixEnd(new Uint8Array([0xff])), new Uint8Array([0]));
  });

  it("parse() inverts every key kind, with non-ASCII paths", () => {
    assert.deepEqual(keys.parse(keys.node("/é/ü")), { kind: "node", path: "/é/ü" });
    assert.deepEqual(keys.parse(keys.node("/")), { kind: "node", path: "/" });
    assert.deepEqual(keys.parse(keys.children("/x")), { kind: "children", path: "/x" });
    assert.deepEqual(keys.parse(keys.session(42n)), { kind: "session", leaseId: 42n });
    assert.deepEqual(keys.parse(keys.marker()), { kind: "marker" });
    assert.deepEqual(keys.parse(encodeJavaUtf8("other/n0001/x")), { kind: "other" });
    assert.equal(keys.childName(keys.node("/a/b")), "b");
  });

  it("compareKeyPath() orders a key's path bytes as etcd orders the paths' keys, ASCII or not", () => {
    const paths = ["/a", "/a-b", "/a/b", "/ab", "/é", "/é/x", "/\u0800", "/\uffff", "/z", "/"];
    const sign = (n: number) => Math.sign(n);
    for (const a of paths) {
      // Children keys: the path alone after the tag (node keys of one depth compare alike).
      const key = keys.children(a);
      const at = keys.childrenPathAt;
      for (const b of paths) {
        const other = keys.children(b);
        let bytes = 0;
        for (let i = 0; i < Math.min(key.length, other.length) && bytes === 0; i++) bytes = key[i]! - other[i]!;
        if (bytes === 0) bytes = key.length - other.length;
        assert.equal(sign(compareKeyPath(key, at, key.length, b)), sign(bytes), `${a} vs ${b}`);
      }
      // A bounded part of the key: its parent's path.
      const slash = a.lastIndexOf("/");
      if (slash > 0) assert.equal(compareKeyPath(key, at, at + encodeJavaUtf8(a.slice(0, slash)).length, a.slice(0, slash)), 0);
    }
    assert.equal(text(keys.node("/x/y").subarray(keys.nodePathAt)), "/x/y");
  });
});

describe("codec", () => {
  const kv = (value: Uint8Array, createRevision: bigint, modRevision: bigint, lease = 0n): KeyValue => ({
    key: new Uint8Array(0),
    value,
    createRevision,
    modRevision,
    version: 1n,
    lease,
  });
  const base = {
    flags: 0,
    version: 3,
    aversion: 1,
    ctime: 1_700_000_000_000n,
    mtime: 1_700_000_000_500n,
    ephemeralOwner: 0n,
    mzxid: 0n,
    czxid: 0n,
    czsub: 1,
    mzsub: 2,
    acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
    data: new Uint8Array([1, 2, 3]),
  };

  it("a node value round-trips, null data distinct from empty", () => {
    assert.deepEqual(decodeNode(encodeNode(base)), base);
    assert.equal(decodeNode(encodeNode({ ...base, data: null })).data, null);
    assert.deepEqual(decodeNode(encodeNode({ ...base, data: new Uint8Array(0) })).data, new Uint8Array(0));
    assert.deepEqual(decodeChildren(encodeChildren({ creations: -5, pzsub: 7 })), { creations: -5, pzsub: 7 });
  });

  it("a corrupt value is a MarshallingError, not a crash", () => {
    assert.throws(() => decodeNode(new Uint8Array([0, 0, 0, 9])), (e) => (e as { code?: number }).code === -5);
    for (const bytes of [new Uint8Array([0, 0, 0, 2, 0, 0, 0, 1]), new Uint8Array(12)]) {
      assert.throws(() => decodeChildren(bytes), (e) => (e as { code?: number }).code === -5);
    }
    assert.deepEqual(decodeChildren(encodeChildren({ creations: 0x12345678, pzsub: 255 })), { creations: 0x12345678, pzsub: 255 });
  });

  it("znodeOf() derives all 11 stat fields from the keys' revisions and the stored values", () => {
    const node = kv(encodeNode(base), 10n, 14n);
    const children = kv(encodeChildren({ creations: 3, pzsub: 4 }), 11n, 13n);
    const stat = statOf(znodeOf(node, children, new Set(["a", "b"])));
    assert.deepEqual(stat, {
      czxid: zxidOf(10n, 1),
      mzxid: zxidOf(14n, 2),
      ctime: base.ctime,
      mtime: base.mtime,
      version: 3,
      cversion: 2 * 3 - 2,
      aversion: 1,
      ephemeralOwner: 0n,
      dataLength: 3,
      numChildren: 2,
      pzxid: zxidOf(13n, 4),
    });
  });

  it("without a children key pzxid is the czxid; a stored mzxid wins; system nodes have czxid 0", () => {
    const plain = statOf(znodeOf(kv(encodeNode(base), 10n, 14n), undefined, new Set()));
    assert.equal(plain.pzxid, zxidOf(10n, 1));
    assert.equal(plain.cversion, 0);
    const acl = statOf(znodeOf(kv(encodeNode({ ...base, flags: NodeFlag.StoredMzxid, mzxid: 12n }), 10n, 14n), undefined, new Set()));
    assert.equal(acl.mzxid, 12n);
    const recreated = statOf(znodeOf(kv(encodeNode({ ...base, flags: NodeFlag.Recreated }), 10n, 14n), undefined, new Set()));
    assert.equal(recreated.czxid, zxidOf(14n, 1), "re-created in one Multi: czxid is that write's revision");
    const later = statOf(znodeOf(kv(encodeNode({ ...base, flags: NodeFlag.StoredCzxid, czxid: 14n }), 10n, 20n), undefined, new Set()));
    assert.equal(later.czxid, 14n);
    const system = statOf(znodeOf(kv(encodeNode({ ...base, flags: NodeFlag.System | NodeFlag.StoredMzxid }), 10n, 10n), undefined, new Set()));
    assert.equal(system.czxid, 0n);
    assert.equal(system.mzxid, 0n);
  });

  it("a container's marker is stored and reported as 0", () => {
    const box = statOf(znodeOf(kv(encodeNode({ ...base, ephemeralOwner: CONTAINER_EPHEMERAL_OWNER }), 5n, 5n), undefined, new Set()));
    assert.equal(box.ephemeralOwner, 0n);
  });
});
