package chatroom.web;

import chatroom.room.MessageFeed;
import chatroom.room.MessageStore;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a load balancer asks a node. {@code GET /livez}: the process answers (restart it if not). {@code
 * GET /readyz}: send it new connections — the database answers, the feed between nodes is connected
 * (in a cluster: Redis answers and this node has claimed its id), and the node is not draining; when not,
 * {@code reason} says why in words. A node whose feed is down still serves its own sockets and still
 * stores messages; it only reports itself unready so that the balancer prefers nodes that can see the
 * whole cluster.
 *
 * <p>Draining: once {@link #startDraining} is called (on SIGTERM) the node is unready for good and
 * refuses new sockets ({@link RoomSockets}), while its open sockets are closed gradually.
 */
final class Health {

    /** A database that takes longer than this to answer a trivial read counts as down. */
    private static final Duration DATABASE_CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final MessageStore messages;
    private final MessageFeed feed;
    private volatile boolean draining;

    Health(MessageStore messages, MessageFeed feed) {
        this.messages = messages;
        this.feed = feed;
    }

    void startDraining() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** {@code GET /livez}. */
    CompletableFuture<Response> live(Request request) {
        return Response.text(HttpResponseStatus.OK, "live").now();
    }

    /** {@code GET /readyz}: 200 when ready, 503 otherwise; the body says which check failed. */
    CompletableFuture<Response> ready(Request request) {
        boolean feedUp = feed.connected();
        String trouble = feed.trouble();
        boolean notDraining = !draining;
        return messages.recentRooms(1)
                .orTimeout(DATABASE_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((rooms, error) -> error == null)
                .thenApply(databaseUp -> {
                    boolean ready = databaseUp && feedUp && trouble.isEmpty() && notDraining;
                    String body = "{\"ready\":" + ready
                            + ",\"database\":" + (databaseUp ? "\"up\"" : "\"down\"")
                            + ",\"feed\":" + (feedUp ? "\"connected\"" : "\"disconnected\"")
                            + ",\"draining\":" + !notDraining
                            + (trouble.isEmpty() ? "" : ",\"reason\":" + JsonText.quoted(trouble)) + "}";
                    return Response.json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
                });
    }
}
