package kmeta.judges;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.nodes.PersistentTtlNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The Apache Curator judge: Curator 5's recipes against a server, with two clients.
 *
 * <pre>java -cp CLASSES:LIB/* kmeta.judges.CuratorJudge HOST:PORT PREFIX EXTENDED_TYPES(true|false)</pre>
 *
 * Prints a transcript, one "step: value" line each, with session ids labelled in order of first
 * appearance; any broken expectation prints its stack trace and exits 1.
 */
public final class CuratorJudge {
  private static final long WAIT_S = 15; // generous: the machine is shared and busy

  private final String hostPort;
  private final String namespace;
  private final List<String> lines = new ArrayList<>();
  private final Map<Long, String> sessions = new LinkedHashMap<>();

  private CuratorJudge(String hostPort, String prefix) {
    this.hostPort = hostPort;
    this.namespace = prefix.substring(1);
  }

  public static void main(String[] args) {
    try {
      new CuratorJudge(args[0], args[1]).run(Boolean.parseBoolean(args[2]));
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  private void run(boolean extendedTypes) throws Exception {
    try (CuratorFramework a = client(); CuratorFramework b = client()) {
      session(a);
      session(b);
      cache(a, b);
      leaderLatch(a, b);
      mutex(a, b);
      atomicLong(a, b);
      if (extendedTypes) ttlNode(a, b);
      persistentNode(a, b);
      a.delete().deletingChildrenIfNeeded().forPath("/");
    }
    lines.forEach(System.out::println);
  }

  private CuratorFramework client() throws InterruptedException {
    CuratorFramework c = CuratorFrameworkFactory.builder()
        .connectString(hostPort)
        .namespace(namespace)
        // Long sessions ride out a starved server; ZooKeeper caps them at 20 ticks (40 s with 2 s ticks).
        .sessionTimeoutMs(30_000)
        .connectionTimeoutMs(15_000)
        .retryPolicy(new ExponentialBackoffRetry(100, 10))
        .build();
    c.start();
    check(c.blockUntilConnected((int) WAIT_S, TimeUnit.SECONDS), "client connected");
    return c;
  }

  private void record(String step, Object value) {
    lines.add(step + ": " + value);
  }

  private String session(CuratorFramework c) throws Exception {
    return session(c.getZookeeperClient().getZooKeeper().getSessionId());
  }

  private String session(long id) {
    return id == 0 ? "0" : sessions.computeIfAbsent(id, k -> "<session-" + (sessions.size() + 1) + ">");
  }

  private static void check(boolean condition, String what) {
    if (!condition) throw new AssertionError(what);
  }

  private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      check(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  private static String text(byte[] data) {
    return data == null ? "null" : new String(data, StandardCharsets.UTF_8);
  }

  private static String describe(ChildData d) {
    return d == null ? "-" : d.getPath() + "=" + text(d.getData()) + "@v" + d.getStat().getVersion();
  }

  /** CuratorCache rides one persistent recursive watch; changes are made one at a time. */
  private void cache(CuratorFramework a, CuratorFramework b) throws Exception {
    a.create().forPath("/cache", bytes("c0"));
    a.create().forPath("/cache/before", bytes("b0"));
    LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    CountDownLatch initialized = new CountDownLatch(1);
    CuratorCacheListener listener = CuratorCacheListener.builder()
        .forAll((type, before, after) -> events.add(type + " " + describe(before) + " -> " + describe(after)))
        .forInitialized(initialized::countDown)
        .build();
    try (CuratorCache cache = CuratorCache.build(a, "/cache")) {
      cache.listenable().addListener(listener);
      cache.start();
      check(initialized.await(WAIT_S, TimeUnit.SECONDS), "cache initialized");
      // The initial load's order follows the server's children order: sort it.
      List<String> initial = new ArrayList<>();
      events.drainTo(initial);
      record("cache initial", initial.stream().sorted().collect(Collectors.toList()));
      String[][] changes = {
        {"create", "/cache/x", "x0"}, {"set", "/cache/x", "x1"}, {"create", "/cache/x/deep", "d0"},
        {"set", "/cache/x/deep", "d1"}, {"delete", "/cache/x/deep", null}, {"delete", "/cache/before", null},
        {"set", "/cache", "c1"},
      };
      for (String[] change : changes) {
        switch (change[0]) {
          case "create" -> b.create().forPath(change[1], bytes(change[2]));
          case "set" -> b.setData().forPath(change[1], bytes(change[2]));
          default -> b.delete().forPath(change[1]);
        }
        String event = events.poll(WAIT_S, TimeUnit.SECONDS);
        check(event != null, "cache event after " + String.join(" ", change[0], change[1]));
        record("cache after " + change[0] + " " + change[1], event);
      }
      record("cache size", cache.size());
      record("cache holds", cache.stream().map(CuratorJudge::describe).sorted().collect(Collectors.toList()));
    }
  }

  private void leaderLatch(CuratorFramework a, CuratorFramework b) throws Exception {
    LeaderLatch first = new LeaderLatch(a, "/latch", "p1");
    LeaderLatch second = new LeaderLatch(b, "/latch", "p2");
    first.start();
    check(first.await(WAIT_S, TimeUnit.SECONDS), "p1 leads");
    second.start();
    waitUntil(() -> participants(second).size() == 2, "two participants");
    record("latch participants", participants(second));
    record("latch leader", second.getLeader().getId());
    record("latch second leads", second.hasLeadership());
    first.close();
    check(second.await(WAIT_S, TimeUnit.SECONDS), "p2 leads after p1 closes");
    record("latch leader after close", second.getLeader().getId());
    record("latch participants after close", participants(second));
    second.close();
    // close() deletes the latch's node in the background.
    waitUntil(() -> childrenOf(a, "/latch").isEmpty(), "the latch nodes to go");
    record("latch nodes left", childrenOf(a, "/latch"));
  }

  private static List<String> participants(LeaderLatch latch) {
    try {
      return latch.getParticipants().stream().map(p -> p.getId() + (p.isLeader() ? "*" : "")).collect(Collectors.toList());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private void mutex(CuratorFramework a, CuratorFramework b) throws Exception {
    InterProcessMutex ma = new InterProcessMutex(a, "/mutex");
    InterProcessMutex mb = new InterProcessMutex(b, "/mutex");
    record("mutex a acquires", ma.acquire(WAIT_S, TimeUnit.SECONDS));
    record("mutex a re-enters", ma.acquire(WAIT_S, TimeUnit.SECONDS));
    record("mutex b times out", mb.acquire(200, TimeUnit.MILLISECONDS));
    // A mutex belongs to the thread that acquired it: b's waiter also releases it.
    CountDownLatch bHolds = new CountDownLatch(1);
    CountDownLatch bMayRelease = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      try {
        if (!mb.acquire(WAIT_S, TimeUnit.SECONDS)) return;
        bHolds.countDown();
        bMayRelease.await(WAIT_S, TimeUnit.SECONDS);
        mb.release();
      } catch (Exception e) {
        e.printStackTrace();
      }
    });
    waiter.start();
    waitUntil(() -> participantCount(ma) == 2, "b to queue for the mutex");
    ma.release();
    record("mutex a still holds after one release", ma.isAcquiredInThisProcess());
    check(bHolds.getCount() == 1, "b took the mutex a still held");
    ma.release();
    check(bHolds.await(WAIT_S, TimeUnit.SECONDS), "b takes the mutex");
    record("mutex b holds", mb.isAcquiredInThisProcess());
    record("mutex participants", participantCount(mb));
    bMayRelease.countDown();
    waiter.join();
    record("mutex participants after release", participantCount(ma));
  }

  private static int participantCount(InterProcessMutex m) {
    try {
      return m.getParticipantNodes().size();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private void atomicLong(CuratorFramework a, CuratorFramework b) throws Exception {
    DistributedAtomicLong la = new DistributedAtomicLong(a, "/atomic", new RetryNTimes(20, 10));
    DistributedAtomicLong lb = new DistributedAtomicLong(b, "/atomic", new RetryNTimes(20, 10));
    record("atomic initialize", la.initialize(5L));
    record("atomic initialize again", lb.initialize(9L));
    record("atomic increment", atomic(la.increment()));
    record("atomic add", atomic(lb.add(10L)));
    record("atomic compareAndSet hit", atomic(la.compareAndSet(16L, 100L)));
    record("atomic compareAndSet miss", atomic(lb.compareAndSet(16L, 7L)));
    record("atomic decrement", atomic(lb.decrement()));
    record("atomic get", atomic(la.get()));
  }

  private static String atomic(AtomicValue<Long> v) {
    return v.succeeded() ? v.preValue() + "->" + v.postValue() : "failed(" + v.preValue() + ")";
  }

  /**
   * Curator's PersistentTtlNode: a container kept alive by a TTL child ("touch") that Curator sets
   * every ttl/2; a 2 s TTL makes the first touch come after 1 s.
   */
  private void ttlNode(CuratorFramework a, CuratorFramework b) throws Exception {
    try (PersistentTtlNode node = new PersistentTtlNode(a, "/ttl", 2_000, bytes("t"))) {
      node.start();
      check(node.waitForInitialCreate(WAIT_S, TimeUnit.SECONDS), "TTL node created");
      waitUntil(() -> exists(b, "/ttl") != null, "b to see the TTL node");
      Stat stat = exists(b, "/ttl");
      record("ttl node", text(b.getData().forPath("/ttl")) + " owner " + session(stat.getEphemeralOwner()));
      waitUntil(() -> childrenOf(b, "/ttl").size() == 1, "the TTL node's touch child");
      record("ttl children", childrenOf(b, "/ttl"));
      record("ttl touch child owner", session(exists(b, "/ttl/touch").getEphemeralOwner()));
    }
  }

  /**
   * An ephemeral PersistentNode outlives its session: another connection takes the session over by
   * id and password and closes it, the server expires it, and Curator creates the node again.
   */
  private void persistentNode(CuratorFramework a, CuratorFramework b) throws Exception {
    List<ConnectionState> states = new ArrayList<>();
    a.getConnectionStateListenable().addListener((c, s) -> {
      synchronized (states) {
        states.add(s);
      }
    });
    try (PersistentNode node = new PersistentNode(a, CreateMode.EPHEMERAL, false, "/persistent", bytes("p"))) {
      node.start();
      check(node.waitForInitialCreate(WAIT_S, TimeUnit.SECONDS), "persistent node created");
      ZooKeeper zk = a.getZookeeperClient().getZooKeeper();
      long oldSession = zk.getSessionId();
      record("persistent node owner", session(exists(b, "/persistent").getEphemeralOwner()) + " = a " + session(oldSession));
      // a reconnects as soon as the thief takes its connection; on a busy machine it can win the
      // session back before the thief's close goes out, and the session lives on: steal again.
      for (int attempt = 0; attempt < 5 && !cameBack(b, oldSession); attempt++) {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper thief = new ZooKeeper(hostPort, 10_000, e -> {
          // Expired: an earlier attempt's close went through after all.
          Watcher.Event.KeeperState state = e.getState();
          if (state == Watcher.Event.KeeperState.SyncConnected || state == Watcher.Event.KeeperState.Expired) connected.countDown();
        }, oldSession, zk.getSessionPasswd());
        check(connected.await(WAIT_S, TimeUnit.SECONDS), "the thief connected");
        if (attempt == 0) record("thief has the session", thief.getSessionId() == oldSession);
        thief.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cameBack(b, oldSession) && System.nanoTime() < deadline) Thread.sleep(20);
      }
      waitUntil(() -> cameBack(b, oldSession), "the node to come back under a new session");
      waitUntil(() -> {
        synchronized (states) {
          return states.contains(ConnectionState.RECONNECTED);
        }
      }, "a to reconnect");
      synchronized (states) {
        record("a lost and reconnected", states.contains(ConnectionState.LOST) + " " + states.get(states.size() - 1));
      }
      long newSession = a.getZookeeperClient().getZooKeeper().getSessionId();
      record("persistent node owner after expiry", session(exists(b, "/persistent").getEphemeralOwner()) + " = a " + session(newSession));
      record("persistent node data", text(b.getData().forPath("/persistent")));
    }
    waitUntil(() -> exists(b, "/persistent") == null, "the closed persistent node to go");
    record("persistent node after close", "gone");
  }

  /** Whether /persistent exists again, owned by a session other than `oldSession`. */
  private static boolean cameBack(CuratorFramework c, long oldSession) {
    Stat s = exists(c, "/persistent");
    return s != null && s.getEphemeralOwner() != oldSession;
  }

  private static Stat exists(CuratorFramework c, String path) {
    try {
      return c.checkExists().forPath(path);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static List<String> childrenOf(CuratorFramework c, String path) {
    try {
      return c.getChildren().forPath(path).stream().sorted().collect(Collectors.toList());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
