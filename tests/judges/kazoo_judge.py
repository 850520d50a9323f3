#!/usr/bin/python3
"""The kazoo judge: Debian's python3-kazoo drives a server through basic operations, transactions,
watches and kazoo's recipes with two clients, and through session close and expiry.

    /usr/bin/python3 tests/judges/kazoo_judge.py HOST:PORT PREFIX

Prints one JSON transcript (zxids and session ids labelled in order of first appearance, children
sorted) and exits 0; any broken expectation raises, printing a traceback, and exits non-zero.
"""
import json
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.protocol.states import KazooState
from kazoo.security import make_digest_acl

WAIT_S = 15  # generous: the machine is shared and busy
TIME_SLACK_MS = 10 * 60 * 1000
# Long sessions ride out a starved server; ZooKeeper caps them at 20 ticks (40 s with 2 s ticks).
SESSION_S = 30


class Transcript:
    def __init__(self):
        self.steps = []
        self.zxids = {}
        self.sessions = {}

    def add(self, name, value):
        self.steps.append([name, value])

    def session(self, session_id):
        if session_id == 0:
            return 0
        return self.sessions.setdefault(session_id, "<session-%d>" % (len(self.sessions) + 1))

    def zxid(self, value):
        return self.zxids.setdefault(value, "<zxid-%d>" % (len(self.zxids) + 1))

    def stat(self, stat):
        if stat is None:
            return None
        return {
            "czxid": self.zxid(stat.czxid),
            "mzxid": self.zxid(stat.mzxid),
            "pzxid": self.zxid(stat.pzxid),
            "version": stat.version,
            "cversion": stat.cversion,
            "aversion": stat.aversion,
            "ephemeralOwner": self.session(stat.ephemeralOwner),
            "dataLength": stat.dataLength,
            "numChildren": stat.numChildren,
            # Times are the server's wall clock, in milliseconds, so near ours.
            "times": "ok" if stat.ctime <= stat.mtime and abs(stat.mtime - time.time() * 1000) < TIME_SLACK_MS
            else "ctime %d, mtime %d" % (stat.ctime, stat.mtime),
        }

    def outcome(self, name, call):
        """Records what `call` returned or the kazoo error it raised, by class name."""
        try:
            value = call()
        except KazooException as e:
            self.add(name, {"error": type(e).__name__})
            return None
        self.add(name, self.value(value))
        return value

    def value(self, v):
        if isinstance(v, bytes):
            return v.decode()
        # Stats and ACLs are named tuples: look for them before plain sequences.
        if hasattr(v, "czxid"):
            return self.stat(v)
        if hasattr(v, "perms"):
            return {"perms": v.perms, "scheme": v.id.scheme, "id": v.id.id}
        if isinstance(v, (list, tuple)):
            return [self.value(x) for x in v]
        if isinstance(v, Exception):
            return {"error": type(v).__name__}
        return v


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def wait(event, what):
    expect(event.wait(WAIT_S), "timed out waiting for " + what)


class Calls:
    """Collects a watcher's calls; `next()` waits for the next one, so changes are made one at a time
    (a watch re-armed after two quick changes may see only the second)."""

    def __init__(self):
        self.cond = threading.Condition()
        self.items = []
        self.taken = 0

    def push(self, item):
        with self.cond:
            self.items.append(item)
            self.cond.notify_all()

    def next(self, what):
        with self.cond:
            expect(self.cond.wait_for(lambda: len(self.items) > self.taken, WAIT_S), "timed out waiting for " + what)
            self.taken += 1
            return self.items[self.taken - 1]


def basic(t, a, b):
    t.outcome("create plain", lambda: a.create("/basic", b"v0"))
    t.outcome("create again", lambda: a.create("/basic", b"v0"))
    t.outcome("create without parent", lambda: a.create("/none/child"))
    t.outcome("create makepath", lambda: a.create("/deep/er/est", b"d", makepath=True))
    t.outcome("create ephemeral", lambda: a.create("/basic/eph", b"e", ephemeral=True))
    t.outcome("create under ephemeral", lambda: a.create("/basic/eph/child"))
    t.outcome("create sequence", lambda: a.create("/basic/seq-", b"s", sequence=True))
    t.outcome("create ephemeral sequence", lambda: a.create("/basic/eseq-", ephemeral=True, sequence=True))
    t.outcome("create include_data", lambda: a.create("/basic/withstat", b"ws", include_data=True))
    t.outcome("get", lambda: a.get("/basic"))
    t.outcome("get ephemeral", lambda: a.get("/basic/eph"))
    t.outcome("exists", lambda: a.exists("/basic"))
    t.outcome("exists missing", lambda: a.exists("/missing"))
    t.outcome("set", lambda: a.set("/basic", b"v1"))
    t.outcome("set version 1", lambda: a.set("/basic", b"v2", version=1))
    t.outcome("set bad version", lambda: a.set("/basic", b"v3", version=7))
    t.outcome("set missing", lambda: a.set("/missing", b"x"))
    t.outcome("children", lambda: sorted(a.get_children("/basic")))
    t.outcome("children of missing", lambda: a.get_children("/missing"))
    children, stat = a.get_children("/basic", include_data=True)
    t.add("children with stat", [sorted(children), t.stat(stat)])
    t.outcome("delete not empty", lambda: a.delete("/basic"))
    t.outcome("delete bad version", lambda: a.delete("/basic/withstat", version=3))
    t.outcome("delete", lambda: a.delete("/basic/withstat", version=0))
    t.outcome("delete missing", lambda: a.delete("/basic/withstat"))
    t.outcome("delete recursive", lambda: a.delete("/deep", recursive=True))
    t.outcome("exists after recursive delete", lambda: a.exists("/deep"))
    t.outcome("sync", lambda: a.sync("/basic"))
    t.outcome("b sees ephemeral of a", lambda: b.exists("/basic/eph"))
    # ACLs: a digest ACL shuts out a client until it authenticates.
    acl = make_digest_acl("alice", "secret", all=True)
    t.outcome("create with digest acl", lambda: a.create("/secret", b"s", acl=[acl]))
    t.outcome("get acl unauthenticated", lambda: b.get_acls("/secret"))
    t.outcome("get unauthenticated", lambda: b.get("/secret"))
    t.outcome("set unauthenticated", lambda: b.set("/secret", b"x"))
    t.outcome("add auth", lambda: b.add_auth("digest", "alice:secret"))
    t.outcome("get acl authenticated", lambda: b.get_acls("/secret"))
    t.outcome("get authenticated", lambda: b.get("/secret"))
    t.outcome("set acl bad version", lambda: b.set_acls("/secret", [acl], version=5))
    t.outcome("set acl read-only", lambda: b.set_acls("/secret", [make_digest_acl("alice", "secret", read=True)], version=0))
    t.outcome("set on read-only", lambda: b.set("/secret", b"y"))
    t.outcome("delete read-only", lambda: b.delete("/secret"))


def transactions(t, a, _b):
    a.create("/tx")
    tx = a.transaction()
    tx.create("/tx/a", b"1")
    tx.create("/tx/b", b"2")
    tx.set_data("/tx/a", b"3")
    tx.check("/tx/a", 1)
    tx.delete("/tx/b")
    t.outcome("commit", tx.commit)
    tx = a.transaction()
    tx.create("/tx/c")
    tx.check("/tx/a", 99)
    tx.create("/tx/d")
    t.outcome("commit failing on check", tx.commit)
    tx = a.transaction()
    tx.set_data("/tx/a", b"4")
    tx.delete("/tx/missing")
    tx.create("/tx/a")
    t.outcome("commit failing on delete", tx.commit)
    tx = a.transaction()
    tx.create("/tx/a")
    t.outcome("commit failing on create", tx.commit)
    t.outcome("after failed commits", lambda: [sorted(a.get_children("/tx")), a.get("/tx/a")])


def watches(t, a, b):
    a.create("/watched", b"w0")
    data = Calls()
    a.DataWatch("/watched", lambda d, s, e: data.push([t.value(d), t.value(s), e and e.type]))
    t.add("data watch initial", data.next("the first DataWatch call"))
    for i, change in enumerate([lambda: b.set("/watched", b"w1"), lambda: b.set("/watched", b"w2"), lambda: b.delete("/watched"),
                                lambda: b.create("/watched", b"again")]):
        change()
        t.add("data watch %d" % i, data.next("DataWatch call %d" % i))
    a.create("/kids")
    kids = Calls()
    a.ChildrenWatch("/kids", lambda c, e: kids.push([sorted(c), e and e.type]), send_event=True)
    t.add("children watch initial", kids.next("the first ChildrenWatch call"))
    for i, change in enumerate([lambda: b.create("/kids/x"), lambda: b.create("/kids/y", ephemeral=True),
                                lambda: b.set("/kids/x", b"not a child change"), lambda: b.delete("/kids/x")]):
        change()
        if i != 2:
            t.add("children watch %d" % i, kids.next("ChildrenWatch call %d" % i))
    t.add("children watch saw no data change", len(kids.items) == kids.taken)


def lock(t, a, b):
    la = a.Lock("/lock", "a")
    lb = b.Lock("/lock", "b")
    t.outcome("a acquires", lambda: la.acquire(timeout=WAIT_S))
    t.outcome("b cannot without blocking", lambda: lb.acquire(blocking=False))
    got = threading.Event()
    thread = threading.Thread(target=lambda: lb.acquire(timeout=WAIT_S) and got.set())
    thread.start()
    for _ in range(WAIT_S * 20):
        if len(la.contenders()) == 2:
            break
        threading.Event().wait(0.05)
    t.outcome("contenders", la.contenders)
    expect(not got.is_set(), "b got the lock while a held it")
    t.outcome("a releases", la.release)
    wait(got, "b to get the lock")
    thread.join()
    t.outcome("contenders after hand-over", lb.contenders)
    t.outcome("b releases", lb.release)
    t.outcome("lock children left", lambda: a.get_children("/lock"))


def election(t, a, b):
    ea = a.Election("/election", "a")
    eb = b.Election("/election", "b")
    led = Calls()
    a_done = threading.Event()

    def lead(who, done):
        led.push(who)
        if done is not None:
            done.wait(WAIT_S)

    ta = threading.Thread(target=ea.run, args=(lead, "a", a_done))
    ta.start()
    t.add("first leader", led.next("a to lead"))
    tb = threading.Thread(target=eb.run, args=(lead, "b", None))
    tb.start()
    for _ in range(WAIT_S * 20):
        if len(eb.contenders()) == 2:
            break
        threading.Event().wait(0.05)
    t.outcome("contenders", eb.contenders)
    a_done.set()
    t.add("second leader", led.next("b to lead"))
    ta.join()
    tb.join()
    t.outcome("contenders after", ea.contenders)


def counter(t, a, b):
    ca = a.Counter("/counter")
    cb = b.Counter("/counter")
    ca += 5
    cb -= 2
    ca += 10
    t.add("counter", [ca.value, cb.value])
    t.outcome("counter node", lambda: a.get("/counter"))


def queues(t, a, b):
    qa = a.Queue("/queue")
    qb = b.Queue("/queue")
    qa.put(b"one")
    qa.put(b"two")
    qa.put(b"urgent", priority=1)
    t.add("queue length", len(qb))
    t.add("queue gets", [t.value(qb.get()) for _ in range(4)])
    la = a.LockingQueue("/locking")
    lb = b.LockingQueue("/locking")
    la.put(b"low", priority=200)
    la.put(b"high", priority=10)
    t.add("locking queue length", len(lb))
    t.add("b takes", t.value(lb.get(WAIT_S)))
    t.add("b holds", lb.holds_lock())
    t.add("a takes", t.value(la.get(WAIT_S)))
    t.add("a consumes", la.consume())
    t.add("b consumes", lb.consume())
    t.add("locking queue length after", len(la))


def sessions(t, host_port, hosts, a):
    """Ephemerals go when their session is closed, and when it expires: a second client resumes the
    session by id and password and closes it, so the server expires it under the first client."""
    c = KazooClient(hosts=hosts, timeout=SESSION_S)
    c.start(WAIT_S)
    t.session(c.client_id[0])
    c.create("/gone-on-close", ephemeral=True)
    gone = Calls()
    a.DataWatch("/gone-on-close", lambda d, s, e: gone.push(e and e.type))
    gone.next("the first DataWatch call")
    c.stop()
    c.close()
    t.add("watch on closed session's ephemeral", gone.next("the ephemeral to go on close"))
    t.outcome("after close", lambda: a.exists("/gone-on-close"))

    d = KazooClient(hosts=hosts, timeout=SESSION_S)
    states = []
    lost = threading.Event()
    back = threading.Event()

    def listen(state):
        states.append(state)
        if state == KazooState.LOST:
            lost.set()
        elif state == KazooState.CONNECTED and lost.is_set():
            back.set()

    d.add_listener(listen)
    d.start(WAIT_S)
    old_id = d.client_id
    t.session(old_id[0])
    d.create("/gone-on-expiry", b"x", ephemeral=True)
    t.outcome("ephemeral owner", lambda: a.exists("/gone-on-expiry"))
    # The first client reconnects as soon as the thief takes its connection; on a busy machine it can
    # win the session back before the thief's close goes out (or while the thief starts), and the
    # session lives on: steal again. The thief has no chroot, so its start makes no request.
    for _ in range(5):
        thief = KazooClient(hosts=host_port, timeout=SESSION_S, client_id=old_id)
        try:
            thief.start(WAIT_S)
        except (KazooException, KazooTimeoutError):
            pass
        thief.stop()
        thief.close()
        if lost.wait(5):
            break
    wait(lost, "the first client to lose its session")
    wait(back, "the first client to reconnect")
    # Only which states it went through is compared, not how often (see above).
    t.add("states", sorted(set(states)))
    t.add("new session", d.client_id[0] != old_id[0])
    t.session(d.client_id[0])
    t.outcome("after expiry", lambda: a.exists("/gone-on-expiry"))
    t.outcome("expired client writes again", lambda: d.create("/alive", ephemeral=True))
    t.outcome("owner of the new ephemeral", lambda: a.exists("/alive"))
    d.stop()
    d.close()


def main():
    host_port, prefix = sys.argv[1:3]
    root = KazooClient(hosts=host_port, timeout=SESSION_S)
    root.start(WAIT_S)
    root.create(prefix)
    root.stop()
    root.close()
    hosts = host_port + prefix
    t = Transcript()
    a = KazooClient(hosts=hosts, timeout=SESSION_S)
    b = KazooClient(hosts=hosts, timeout=SESSION_S)
    a.start(WAIT_S)
    b.start(WAIT_S)
    t.session(a.client_id[0])
    t.session(b.client_id[0])
    for part in (basic, transactions, watches, lock, election, counter, queues):
        part(t, a, b)
    sessions(t, host_port, hosts, a)
    b.stop()
    b.close()
    a.delete("/", recursive=True)
    a.stop()
    a.close()
    json.dump(t.steps, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
