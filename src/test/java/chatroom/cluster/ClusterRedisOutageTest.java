package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.ChildServer;
import chatroom.PrivateRedis;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whole nodes and a Redis that is not there: a node started while Redis is down serves what it can
 * (pages, history, posting), reports itself unready with the reason, and joins the cluster when Redis
 * comes back; one whose id turns out then to belong to a live node stops; and an outage is told once
 * in the log, when it begins, and once when it ends. Each test has a private redis-server.
 */
class ClusterRedisOutageTest {

    private static final String ROOM = "outage";
    private static final String[] FAST_PRESENCE = {
        "--presence-heartbeat", "1s", "--presence-node-timeout", "4s", "--presence-sweep", "1s"
    };
    /** How long Redis stays away in the logging test: a few seconds, long enough for a log line a second to show. */
    private static final Duration OUTAGE = Duration.ofSeconds(6);

    private PrivateRedis redis;
    private Cluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void a_node_started_while_redis_is_down_serves_its_rooms_unready_and_joins_the_cluster_when_redis_is_back()
            throws Exception {
        redis = PrivateRedis.start();
        redis.kill();
        cluster = new Cluster(redis.url());

        ChildServer first = cluster.startNode(FAST_PRESENCE);

        assertThat(first.get("/livez").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = first.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"reason\":\"redis 127.0.0.1:" + redis.port() + " unreachable since ")
                .containsIgnoringCase("refused");
        String annCookie = cluster.newVisitorCookie();
        assertThat(first.get("/r/" + ROOM, "Cookie", annCookie).statusCode()).as("the room's page").isEqualTo(200);
        Page ann = new Page(ROOM, annCookie).connect(first).joined();
        ann.say("while redis is away");
        assertThat(ann.awaitShown(1).getFirst().text()).isEqualTo("while redis is away");
        assertThat(cluster.rowsWithText(ROOM, "while redis is away")).as("stored").isEqualTo(1);
        String annTag = ann.here().getFirst();

        redis.restart();

        cluster.awaitReadiness(200, Invariants.SETTLE);
        ChildServer second = cluster.startNode(FAST_PRESENCE);
        Page bob = new Page(ROOM, cluster.newVisitorCookie()).connect(second).joined();
        assertThat(bob.awaitShown(1).getFirst().text()).as("history on the second node").isEqualTo("while redis is away");
        Await.until(() -> bob.here().contains(annTag) ? true : null, "bob, on the second node, to list ann",
                () -> "listed " + bob.here());
        Await.until(() -> ann.here().size() == 2 ? true : null, "ann, on the first node, to list bob",
                () -> "listed " + ann.here());
        ann.say("after redis is back");
        assertThat(bob.awaitShown(2).get(1).text()).isEqualTo("after redis is back");
        ann.close();
        bob.close();
    }

    @Test
    void a_node_started_while_redis_was_unreachable_stops_when_redis_answers_and_its_id_belongs_to_a_live_node()
            throws Exception {
        redis = PrivateRedis.start();
        cluster = new Cluster(redis.url());
        ChildServer live = cluster.startNode(fastPresence("--node-id", "web-1"));
        int laterPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            laterPort = free.getLocalPort();
        }
        // the same Redis, through a port where nothing listens yet: this node starts while "Redis is down"
        ChildServer late = cluster.startNodeOn("redis://127.0.0.1:" + laterPort, fastPresence("--node-id", "web-1"));
        assertThat(late.get("/readyz").statusCode()).isEqualTo(503);

        try (FreezingProxy proxy = new FreezingProxy(redis.port(), laterPort)) {
            int status = late.awaitExitCode(Invariants.SETTLE);

            assertThat(status).as("exit status").isEqualTo(1);
            assertThat(String.join("\n", late.output()))
                    .contains("node id 'web-1' is in use by a live node (pid ")
                    .contains("another --node-id");
            assertThat(live.get("/readyz").statusCode()).as("the live node").isEqualTo(200);
            Page ann = new Page(ROOM, cluster.newVisitorCookie()).connect(live).joined();
            ann.say("the live node still serves");
            assertThat(ann.awaitShown(1).getFirst().text()).isEqualTo("the live node still serves");
            ann.close();
        }
    }

    @Test
    void a_redis_outage_is_logged_once_when_it_begins_and_once_when_it_ends() throws Exception {
        redis = PrivateRedis.start();
        cluster = new Cluster(redis.url());
        ChildServer node = cluster.startNode();
        Page ann = new Page(ROOM, cluster.newVisitorCookie()).connect(node).joined();
        cluster.awaitReadiness(200, Invariants.SETTLE);
        int before = node.output().size();

        redis.kill();
        long killedAt = System.nanoTime();
        cluster.awaitReadiness(503, Invariants.SETTLE);
        ann.say("during the outage");
        assertThat(ann.awaitShown(1).getFirst().text()).isEqualTo("during the outage");
        // Redis stays away a few seconds: what a log line per failed reconnect would fill
        Await.until(() -> Duration.ofNanos(System.nanoTime() - killedAt).compareTo(OUTAGE) >= 0 ? true : null,
                "the outage to last " + OUTAGE.toSeconds() + " s", OUTAGE.plusSeconds(30));
        redis.restart();
        cluster.awaitReadiness(200, Invariants.SETTLE);
        ann.say("after the outage"); // a marker: what the outage logged while it lasted came before it
        assertThat(ann.awaitShown(2).get(1).text()).isEqualTo("after the outage");

        List<String> logged = since(node, before);
        List<String> warnings = logged.stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
        assertThat(warnings).as("WARN and ERROR lines during one outage; the log: %s", logged).hasSize(1);
        assertThat(warnings.getFirst()).contains("redis 127.0.0.1:" + redis.port() + ": unreachable (")
                .containsIgnoringCase("refused");
        Await.until(() -> since(node, before).stream().anyMatch(l -> l.contains("answers again after")) ? true : null,
                "the node to log that Redis is back");
        ann.say("later still"); // and a second marker, after the line that it is back
        assertThat(ann.awaitShown(3).get(2).text()).isEqualTo("later still");
        logged = since(node, before);
        assertThat(logged).filteredOn(l -> l.contains("answers again after")).as("back, in %s", logged).hasSize(1);
        assertThat(logged).filteredOn(l -> l.contains(" WARN ") || l.contains(" ERROR ")).hasSize(1);
        ann.close();
    }

    private static String[] fastPresence(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(FAST_PRESENCE));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static List<String> since(ChildServer node, int from) {
        List<String> all = node.output();
        return all.subList(from, all.size());
    }
}
