package chatroom;

import chatroom.account.Directory;
import chatroom.room.GuestPolicy;
import chatroom.bench.Bench;
import chatroom.cluster.InProcessFeed;
import chatroom.cluster.InProcessPresence;
import chatroom.cluster.RedisFeed;
import chatroom.cluster.RedisNode;
import chatroom.cluster.RedisPresence;
import chatroom.cluster.SilentPublisherFeed;
import chatroom.metrics.Meters;
import chatroom.metrics.MetricsServer;
import chatroom.metrics.RefusalLog;
import chatroom.room.MessageFeed;
import chatroom.room.MessageStore;
import chatroom.room.PresenceBoard;
import chatroom.room.RoomServices;
import chatroom.room.RoomSettings;
import chatroom.room.Rooms;
import chatroom.store.JdbcMessageStore;
import chatroom.store.PostgresStore;
import chatroom.store.Retention;
import chatroom.web.Assets;
import chatroom.web.JteViews;
import chatroom.web.Web;
import chatroom.web.WebServer;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Chatroom: config → storage → rooms → web, in that order, and stops them in reverse. The only
 * class that knows every package. {@code bench} as the first argument runs the load generator instead, and
 * {@code backup} or {@code export} an operator's command on the database ({@link StoreCommands}),
 * {@code train} the training run of the start-up cache ({@link Training}), which is handed {@link #start}
 * to start its server with and knows nothing else of this class. An instance is a running server, held
 * as a {@link Server}.
 */
public final class Main implements Server {

    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private static final Duration STATUS_EVERY = Duration.ofMinutes(1);
    private static final Duration COMPACTION_CHECK_EVERY = Duration.ofSeconds(5);
    /** Refusals (bad origins, floods, oversized frames…) are logged as one count per kind per this period. */
    private static final Duration REFUSALS_EVERY = Duration.ofSeconds(10);

    private final MessageStore messages;
    private final Directory directory;
    private final MessageFeed feed;
    private final PresenceBoard presence;
    private final Rooms rooms;
    private final WebServer server;
    private final Web web;
    private final Duration drainWindow;
    private final ScheduledExecutorService statusLog;
    private final Meters.Gauges gauges;
    private final RefusalLog refusals;
    private final MetricsServer metrics;
    private final int port;
    private final int metricsPort;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("bench")) {
            Bench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && (args[0].equals("backup") || args[0].equals("export"))) {
            StoreCommands commands = new StoreCommands(System.out, System.err);
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            System.exit(args[0].equals("backup")
                    ? commands.backup(rest, System.getenv())
                    : commands.export(rest, System.getenv(), System.out));
        }
        if (args.length > 0 && args[0].equals("admin")) {
            System.exit(new AdminCommands(System.out, System.err).run(Arrays.copyOfRange(args, 1, args.length), System.getenv()));
        }
        if (args.length > 0 && args[0].equals("train")) {
            Training.main(Arrays.copyOfRange(args, 1, args.length), Main::start);
            return;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(Config.help());
            return;
        }
        Config config;
        try {
            config = Config.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("chatroom: " + e.getMessage());
            System.exit(2);
            return;
        }
        LogFormat.apply(config.logFormat());
        Server main;
        try {
            main = start(config);
        } catch (StartupException e) {
            System.err.println("chatroom: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(main::close, "shutdown"));
        String running = "Chatroom is running at http://localhost:" + main.port() + "/";
        if (config.logFormat().equals("json")) {
            log.info(running); // a log shipper reads every line as JSON
        } else {
            System.out.println(running);
        }
    }

    /**
     * Starts a server: storage, rooms, web and metrics, in that order. Throws {@link StartupException} with
     * one line for the operator when something it needs is not there (a database, a port).
     */
    public static Server start(Config config) throws Exception {
        return new Main(config);
    }

    private Main(Config config) throws Exception {
        // 1. storage, migrated on open: PostgreSQL shared by every node, or an SQLite file of this one
        JdbcMessageStore store = startup(() -> config.clusterMode()
                ? PostgresStore.open(config.cluster().database().value(),
                        JdbcMessageStore.Settings.defaults().withStatementTimeout(config.store().timeout()))
                : JdbcMessageStore.openSqlite(config.store().db()));
        refuseToForgetEveryone(config, store);
        Config.Retention retention = config.retention();
        store.startPruning(Retention.of(retention.keep(), retention.keepPerRoom(), retention.pruneEvery()), Clock.systemUTC());
        this.messages = store;
        // who has an account and which sessions are live, kept up to date from the same database
        this.directory = startup(() -> Directory.start(store.accounts(), Clock.systemUTC(), config.identity().cookieMaxAge()));
        // 2. the event loops, which also run the rooms
        this.server = new WebServer(WebServer.Transport.valueOf(config.listen().transport().toUpperCase(Locale.ROOT)));
        // 3. rooms, the feed that brings them their committed messages, and who is in them
        RoomSettings roomSettings = RoomSettings.defaults()
                .withLimits(config.limits().maxMessageChars(), config.rooms().historyMessages(), config.rooms().idleTimeout())
                .withStoreTimeout(config.store().timeout());
        // beside each author's name: whether they are a guest, an account, a moderator or an owner, as now
        JteViews views = new JteViews(userId -> {
            chatroom.account.Account account = directory.account(userId);
            if (account == null) return "";
            return switch (account.role()) {
                case OWNER -> "Owner";
                case MODERATOR -> "Moderator";
                case MEMBER -> "Account";
            };
        });
        RedisNode node = config.clusterMode() ? startup(() -> RedisNode.open(config.cluster().redis().value())) : null;
        this.feed = startup(() -> feed(config, node));
        this.presence = startup(() -> presence(config, node));
        // what guests may do: the owners' choice on /admin, else --guests; asked by rooms and the edge alike
        String guestsByDefault = config.identity().guests();
        Supplier<GuestPolicy> guests = () -> GuestPolicy.of(directory.setting(Directory.GUESTS, guestsByDefault));
        this.rooms = new Rooms(RoomServices.of(messages, feed, presence, views, roomSettings, Clock.systemUTC())
                        .withGuests(guests),
                server::nextExecutor, maxRooms(config.limits()));
        // 4. web
        this.web = new Web(rooms, messages, store.accounts(), directory, guests, feed, views, new Assets(), roomSettings,
                config.listen(), config.limits(), config.identity(), config.clusterMode());
        // a node of a cluster hands its sockets to the others gradually when it stops; a lone server has
        // nobody to hand them to, so it closes them at once and its pages reconnect when it is back
        this.drainWindow = config.clusterMode() ? config.cluster().drain() : Duration.ZERO;
        // 5. metrics (the listener before the web port opens, so that a port taken fails the start at once),
        // and the log lines that sum up refusals instead of telling each one
        this.metrics = metricsListener(config.metrics());
        this.metricsPort = metrics == null ? Config.METRICS_OFF : metrics.port();
        this.port = server.start(web);
        this.gauges = Meters.gauges()
                .sockets(server::connectionCount)
                .rooms(rooms::awakeCount, rooms::asleepCount)
                .eventLoopQueues(server.pendingTasksPerLoop());
        if (config.clusterMode()) {
            gauges.feedConnected(feed::connected);
        }
        if (presence instanceof RedisPresence redis) {
            gauges.presenceHealthy(redis::healthy);
            // started while Redis was away, and found its id held by a live node once Redis answered: it
            // must not go on under another node's id, and staying up unready would only hide the mistake
            redis.whenNodeIdTaken(message -> {
                System.err.println("chatroom: " + message);
                new Thread(() -> System.exit(1), "node-id-taken").start();
            });
        }
        this.refusals = RefusalLog.every(REFUSALS_EVERY);
        log.info("started: {}", startLine(config));
        // 6. a status line now and then, for operators
        this.statusLog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-log");
            t.setDaemon(true);
            return t;
        });
        statusLog.scheduleAtFixedRate(this::logStatus, STATUS_EVERY.toSeconds(), STATUS_EVERY.toSeconds(), TimeUnit.SECONDS);
        // 7. memory a crowd's arrival left behind goes back to the system once the crowd has settled
        BurstCompaction.start(statusLog, server::connectionCount, Meters::deliveredSoFar, COMPACTION_CHECK_EVERY.toSeconds());
    }

    /**
     * A lone server whose identity secret is gone but whose database has messages would quietly make
     * every user a new guest (their cookies no longer verify): refuse, unless told to go ahead.
     */
    private static void refuseToForgetEveryone(Config config, JdbcMessageStore messages) throws StartupException {
        Config.Identity identity = config.identity();
        boolean secretGiven = config.clusterMode() || identity.sharedSecret().isPresent();
        if (secretGiven || Files.exists(identity.secretFile()) || identity.newSecret()) {
            return;
        }
        if (startup(messages::hasMessages)) {
            messages.close();
            throw new StartupException(identity.secretFile().toAbsolutePath() + " (the identity secret) is missing but "
                    + config.store().db().toAbsolutePath() + " holds messages: every user would become a new guest. Put the "
                    + "secret file back, or start with --new-secret true to make a new one.", null);
        }
    }

    /** A lone server's feed, or a cluster node's on its Redis (the node's client shuts down when feed and board close). */
    private static MessageFeed feed(Config config, RedisNode node) {
        if (node == null) {
            return new InProcessFeed();
        }
        Config.Cluster cluster = config.cluster();
        MessageFeed redis = node.feed(RedisFeed.Settings.of(cluster.redisPrefix(), cluster.nodeId(), cluster.tailCheck()));
        // a fault for the cluster tests: this node's messages never reach the others through Redis
        return "true".equals(System.getenv("CHATROOM_FAULT_NO_PUBLISH")) ? new SilentPublisherFeed(redis) : redis;
    }

    private static PresenceBoard presence(Config config, RedisNode node) {
        if (node == null) {
            return new InProcessPresence();
        }
        Config.Presence timings = config.cluster().presence();
        RedisPresence.Settings settings = RedisPresence.Settings.of(config.cluster().redisPrefix(), config.cluster().nodeId())
                .withLiveness(timings.heartbeat(), timings.nodeTimeout(), timings.sweep());
        // a fault for the cluster tests: a duplicate that writes under a live node's id, as one that
        // started while the id's heartbeat was absent would
        if ("true".equals(System.getenv("CHATROOM_FAULT_SKIP_NODE_ID_CLAIM"))) {
            settings = settings.withoutIdClaim();
        }
        return node.presence(settings);
    }

    /** What stops the server from starting, in one line for the operator (a bad URL, a server not there). */
    static final class StartupException extends Exception {
        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T startup(Step<T> step) throws StartupException {
        try {
            return step.run();
        } catch (RuntimeException e) {
            throw new StartupException(e.getMessage(), e);
        } catch (Exception e) {
            throw new StartupException(e.toString(), e);
        }
    }

    private static MetricsServer metricsListener(Config.Metrics config) throws StartupException {
        if (config.port() == Config.METRICS_OFF) {
            return null;
        }
        try {
            return MetricsServer.start(config.host(), config.port());
        } catch (IOException | RuntimeException e) {
            throw new StartupException("--metrics-port: cannot listen on " + config.host() + ":"
                    + config.port() + " (" + e.getMessage() + ")", e);
        }
    }

    /** {@code --max-rooms}: from the heap unless given; 0 is no cap. */
    private static int maxRooms(Config.Limits limits) {
        return switch (limits.maxRooms()) {
            case Config.MAX_ROOMS_AUTO -> Rooms.maxRoomsForHeap();
            case 0 -> Integer.MAX_VALUE;
            default -> limits.maxRooms();
        };
    }

    /** What an operator checks first: which build, which mode, where it listens and keeps its messages. */
    private String startLine(Config config) {
        String version = Main.class.getPackage().getImplementationVersion();
        Config.Cluster cluster = config.cluster();
        String storage = config.clusterMode()
                ? "cluster node " + cluster.nodeId() + ", PostgreSQL " + cluster.database()
                        + ", Redis " + cluster.redis() + " (prefix " + cluster.redisPrefix() + ")"
                : "embedded, SQLite " + config.store().db().toAbsolutePath();
        return "Chatroom " + (version == null ? "(development build)" : version) + ", " + storage
                + ", on " + config.listen().host() + ":" + port + " (" + server.transport() + ")"
                + (metrics == null ? ", no metrics listener" : ", metrics on " + config.metrics().host() + ":" + metricsPort);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int metricsPort() {
        return metricsPort;
    }

    private void logStatus() {
        log.info("status: {} connections, {} rooms awake, {} rooms asleep",
                server.connectionCount(), rooms.awakeCount(), rooms.asleepCount());
    }

    /**
     * Leaves: turns unready and refuses new sockets, closes the open ones with 1012 (pages reconnect)
     * spread over the drain window, then stops the rooms, the feed and the store, which finishes its writes.
     */
    @Override
    public void close() {
        log.info("stopping: {} sockets open, {} rooms awake", server.connectionCount(), rooms.awakeCount());
        statusLog.shutdownNow();
        web.startDraining();
        // the board first: the sockets closing below then depart no one, so users who reconnect to
        // another node are not shown leaving and joining; those who do not come back are departed by
        // the other nodes once this node's heartbeat is gone
        presence.close();
        server.closeGradually(drainWindow);
        rooms.close();
        feed.close();
        directory.close();
        messages.close();
        refusals.close();
        if (metrics != null) {
            metrics.close();
        }
        gauges.close();
        log.info("stopped");
    }
}
