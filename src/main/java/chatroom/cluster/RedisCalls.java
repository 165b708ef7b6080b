package chatroom.cluster;

import chatroom.cluster.PresenceScripts.Script;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Lettuce plumbing the feed and the presence board share, written once: scripts run by hash, a
 * command awaited with a deadline, the root cause of a failure as one line for the log, and the
 * daemon threads every Redis part runs on. Stateless; {@link State} is the one thing with state.
 */
final class RedisCalls {

    private static final String[] NO_KEYS = new String[0];

    private RedisCalls() {}

    /**
     * EVALSHA, and EVAL when Redis does not know the script (it restarted since it last ran it). A
     * connection not open yet (Redis has not answered since the start) fails the call, as a refused
     * command would.
     */
    static <T> CompletableFuture<T> eval(StatefulRedisConnection<String, String> open, Script script,
            ScriptOutputType type, String... args) {
        if (open == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to redis yet"));
        }
        RedisAsyncCommands<String, String> redis = open.async();
        try {
            CompletableFuture<T> first = redis.<T>evalsha(script.sha(), type, NO_KEYS, args).toCompletableFuture();
            return first.exceptionallyCompose(e -> cause(e) instanceof RedisNoScriptException
                    ? redis.<T>eval(script.source(), type, NO_KEYS, args).toCompletableFuture()
                    : CompletableFuture.failedFuture(e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The command's answer, or what it failed with (unwrapped), or a timeout after {@code timeout}. */
    static <T> T await(CompletionStage<T> stage, Duration timeout) throws Exception {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw cause(e) instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer within " + timeout.toMillis() + " ms");
        }
    }

    /** What a future failed with, without the wrappers the future added. */
    static Throwable cause(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The innermost cause as one line ("RedisConnectionException: Connection refused…"), for a log line. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** Keeps an interruption seen as an exception visible to the thread's owner. */
    static void restoreInterrupt(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }

    /** Daemon threads named {@code name}, {@code name-2}, …: Redis work never keeps the JVM up. */
    static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, count.getAndIncrement() == 0 ? name : name + "-" + count.get());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * A connection's state as the log tells it ("up", "down", "wedged"…): {@link #becomes} says whether
     * it changed, so a state is logged once when it starts and not again at every retry.
     */
    static final class State {

        private final AtomicReference<String> now;

        State(String initial) {
            this.now = new AtomicReference<>(initial);
        }

        /** Sets the state; true if it was another one. */
        boolean becomes(String state) {
            return !state.equals(now.getAndSet(state));
        }

        boolean is(String state) {
            return state.equals(now.get());
        }
    }
}
