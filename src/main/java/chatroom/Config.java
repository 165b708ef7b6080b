package chatroom;

import chatroom.cluster.RedisPresence;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Every setting of the server: its default, its unit, its flag and its environment variable. Flags win
 * over environment variables, which win over defaults. Immutable once parsed; {@link #parse} throws
 * {@link IllegalArgumentException} with a message that names the setting, the value and what was
 * expected (passwords in URLs are shown as {@code ***}, and a secret's value never).
 *
 * <p>{@code SETTINGS} is the one list of flags, environment variables, defaults and help texts; the parsed
 * values are grouped by area, one record each, and each area is built from the values by flag name in one
 * small method ({@code listen(values)}, {@code limits(values)}…). A new setting is a row in the table, a
 * component of its area and one line in that area's method; the records' own {@code toString} shows them
 * all, with the secret and the passwords in URLs hidden by their types ({@link Secret}, {@link Url}).
 *
 * <p>Two modes: embedded (no {@code --database}, no {@code --redis}: SQLite file {@code --db}, one
 * node) and cluster (both set: PostgreSQL and Redis shared by every node, see {@link #clusterMode()}).
 * A cluster node must be given the identity secret every node shares, since a cookie signed by one
 * node has to verify on all of them.
 */
public record Config(
        Listen listen,
        Limits limits,
        Identity identity,
        Rooms rooms,
        Store store,
        Cluster cluster,
        Retention retention,
        Metrics metrics,
        String logFormat) {

    /**
     * Where the edge listens and what it believes of the requests it gets: the address and port, how
     * sockets are driven, the timeouts of idle sockets and slow requests, the site's public address and
     * the origins allowed besides it, the proxies whose forwarded headers count, HSTS, and who may read
     * {@code /status}.
     */
    public record Listen(
            String host,
            int port,
            String transport,
            Duration socketIdle,
            Duration requestTimeout,
            Duration httpIdle,
            String publicUrl,
            Set<String> allowedOrigins,
            List<String> trustedProxies,
            Duration hsts,
            boolean publicStatus) {}

    /** A sustained rate with room for a burst: {@code perSecond} events a second, {@code burst} at once; 0 a second is no limit. */
    public record Rate(double perSecond, int burst) {}

    /**
     * What one connection, user or address may make this node do, and how much of it the node holds at
     * once. The message rates are per socket ({@code --rate}), per user and per client address; the
     * upgrade and new-room rates are per client address; {@code maxRooms} may be {@link #MAX_ROOMS_AUTO}.
     */
    public record Limits(
            Rate messages,
            Rate userMessages,
            Rate ipMessages,
            Rate frames,
            int renamesPerMinute,
            Rate upgradesPerIp,
            Rate newRoomsPerIp,
            int maxMessageChars,
            int maxFrameBytes,
            int sendQueueBytes,
            int maxConnections,
            int maxSocketsPerIp,
            int ipv6PrefixBits,
            int maxRooms) {}

    /**
     * How visitors are recognised: the file of the key that signs identity cookies, or the secret given in
     * {@code CHATROOM_SECRET} instead; whether a lone server may make a new one over a database with
     * messages; and how long a cookie lasts.
     */
    /** @param guests what visitors without an account may do until an owner says otherwise on /admin: post, read or off */
    public record Identity(Path secretFile, Optional<Secret> sharedSecret, boolean newSecret, Duration cookieMaxAge,
            String guests, String authHeader, String authNameHeader) {}

    /** What a room shows on joining (and per page of scroll-back), and how long an idle one stays in memory. */
    public record Rooms(int historyMessages, Duration idleTimeout) {}

    /** The embedded SQLite file, and how long a message may take to be stored (on PostgreSQL too). */
    public record Store(Path db, Duration timeout) {}

    /**
     * Cluster mode: the PostgreSQL and Redis every node shares (both empty for one embedded node), the
     * deployment's Redis prefix, this node's id, how often it checks the rooms' tails in the database, how
     * long it spends handing its sockets to the others when it stops, and the presence liveness timings.
     */
    public record Cluster(
            Url database, Url redis, String redisPrefix, Duration tailCheck, String nodeId, Duration drain, Presence presence) {

        /** True when several nodes share PostgreSQL and Redis. */
        public boolean on() {
            return !database.isEmpty();
        }
    }

    /**
     * How cluster nodes tell each other they are alive (see {@code RedisPresence}): each refreshes its
     * heartbeat every {@code heartbeat}; one silent for {@code nodeTimeout} is declared dead by whichever
     * node sweeps next (every {@code sweep}), and its users leave unless another node still has them.
     */
    public record Presence(Duration heartbeat, Duration nodeTimeout, Duration sweep) {

        /** Added to twice the heartbeat: a heartbeat sent just before the last one expires may take this long in a slow Redis. */
        public static final Duration SLOW_REDIS = RedisPresence.Settings.DEFAULT_COMMAND_TIMEOUT;
    }

    /**
     * Which stored messages are deleted: those older than {@code keep} (empty: none for their age), and those
     * beyond a room's {@code keepPerRoom} newest (0: none for their count); looked for every {@code pruneEvery}.
     */
    public record Retention(Optional<Duration> keep, long keepPerRoom, Duration pruneEvery) {}

    /** The management listener serving {@code GET /metrics}; {@code port} is {@link #METRICS_OFF} when there is none. */
    public record Metrics(String host, int port) {}

    /** {@link Limits#maxRooms} when it is sized from the heap ({@code --max-rooms auto}); 0 is no cap. */
    public static final int MAX_ROOMS_AUTO = -1;

    /** {@link Metrics#port} when the management listener is off. */
    public static final int METRICS_OFF = -1;

    /** The smallest identity secret accepted from {@code CHATROOM_SECRET}, in bytes (HMAC-SHA256's key size). */
    public static final int MIN_SECRET_BYTES = 32;

    /** One setting as the user sees it in {@code --help}; {@code flag} is null for an environment-only one. */
    private record Setting(String flag, String env, String defaultValue, String help) {

        String key() {
            return flag != null ? flag : env;
        }
    }

    /**
     * The identity secret given in {@code CHATROOM_SECRET}. Its {@code toString} never shows the bytes, so
     * logging a {@link Config} cannot leak it.
     */
    public record Secret(byte[] bytes) {

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public String toString() {
            return "Secret[" + bytes.length + " bytes]";
        }
    }

    /**
     * A URL that may carry a password ({@code --database}, {@code --redis}); "" when unset. Its
     * {@code toString} shows the password as {@code ***}, so logging a {@link Config} cannot leak it;
     * {@link #value} is the URL to connect with.
     */
    public record Url(String value) {

        public boolean isEmpty() {
            return value.isEmpty();
        }

        @Override
        public String toString() {
            return redact(value);
        }
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("--host", "CHATROOM_HOST", "0.0.0.0", "address to listen on"),
            new Setting("--port", "CHATROOM_PORT", "8080", "TCP port to listen on (0 picks a free one)"),
            new Setting("--db", "CHATROOM_DB", "chatroom.db", "SQLite file that keeps the message history"),
            new Setting(
                    "--secret-file",
                    "CHATROOM_SECRET_FILE",
                    "",
                    "file with the key that signs identity cookies; default: chatroom.secret beside the database"),
            new Setting("--max-message-chars", "CHATROOM_MAX_MESSAGE_CHARS", "2000", "longest message, in characters"),
            new Setting(
                    "--max-frame-bytes",
                    "CHATROOM_MAX_FRAME_BYTES",
                    "16384",
                    "largest WebSocket frame accepted, in bytes; larger ones close the socket with 1009"),
            new Setting("--history", "CHATROOM_HISTORY", "50", "messages shown on joining a room and per page of scroll-back"),
            new Setting(
                    "--room-idle",
                    "CHATROOM_ROOM_IDLE",
                    "60s",
                    "a room with no activity for this long leaves memory (its sockets stay open); e.g. 60s, 5m"),
            new Setting(
                    "--send-queue-bytes",
                    "CHATROOM_SEND_QUEUE_BYTES",
                    "262144",
                    "bytes queued for one member before it counts as too slow and is closed with 1013"),
            new Setting(
                    "--rate",
                    "CHATROOM_RATE",
                    "20",
                    "messages per second one connection may send, sustained; 0 turns off every message limit (this one, "
                            + "--user-rate and --ip-rate), e.g. for a load generator"),
            new Setting("--burst", "CHATROOM_BURST", "40", "messages one connection may send at once before --rate applies"),
            new Setting(
                    "--user-rate",
                    "CHATROOM_USER_RATE",
                    "5",
                    "messages per second one user (the identity in the cookie) may send over all their sockets on this node, "
                            + "sustained (0 turns this limit off)"),
            new Setting("--user-burst", "CHATROOM_USER_BURST", "20", "messages one user may send at once before --user-rate applies"),
            new Setting(
                    "--ip-rate",
                    "CHATROOM_IP_RATE",
                    "20",
                    "messages per second one client address (behind --trusted-proxies, the forwarded one) may send over all its "
                            + "sockets on this node, sustained; looser than --user-rate for offices behind one NAT. Loopback is not "
                            + "limited (0 turns this limit off)"),
            new Setting("--ip-burst", "CHATROOM_IP_BURST", "100", "messages one client address may send at once before --ip-rate applies"),
            new Setting(
                    "--frame-rate",
                    "CHATROOM_FRAME_RATE",
                    "1",
                    "frames other than messages (pings, pongs, binary) per second one connection may send, sustained; over it "
                            + "the socket is closed with 1008. Pages send one every 25s (0 turns this limit off)"),
            new Setting("--frame-burst", "CHATROOM_FRAME_BURST", "30", "such frames one connection may send at once before --frame-rate applies"),
            new Setting(
                    "--renames-per-minute",
                    "CHATROOM_RENAMES_PER_MINUTE",
                    "5",
                    "name changes one user with a socket on this node may make per minute; more are refused with 429 and the "
                            + "name stays (0 turns this limit off)"),
            // room churn: what one address may make a node do beyond the sockets it holds open
            new Setting(
                    "--upgrades-per-ip",
                    "CHATROOM_UPGRADES_PER_IP",
                    "10",
                    "WebSocket upgrades per second one client address may ask for, sustained; more get 429 with Retry-After. "
                            + "Loopback is not limited (0 turns this limit off)"),
            new Setting(
                    "--upgrade-burst-per-ip",
                    "CHATROOM_UPGRADE_BURST_PER_IP",
                    "100",
                    "upgrades one client address may ask for at once before --upgrades-per-ip applies"),
            new Setting(
                    "--new-rooms-per-ip",
                    "CHATROOM_NEW_ROOMS_PER_IP",
                    "1",
                    "rooms per second one client address may open that this node does not host yet (nobody here is in them), "
                            + "sustained; more get 429 with Retry-After. Loopback is not limited (0 turns this limit off)"),
            new Setting(
                    "--new-room-burst-per-ip",
                    "CHATROOM_NEW_ROOM_BURST_PER_IP",
                    "60",
                    "such rooms one client address may open at once before --new-rooms-per-ip applies"),
            new Setting(
                    "--max-rooms",
                    "CHATROOM_MAX_ROOMS",
                    "auto",
                    "rooms one node hosts at once; sockets to other rooms beyond it are closed with 1013 and the page says the "
                            + "server is busy. auto: a quarter of the heap at 4 KB a room (16384 for -Xmx256m); 0: no cap"),
            new Setting(
                    "--allowed-origins",
                    "CHATROOM_ALLOWED_ORIGINS",
                    "",
                    "comma-separated origins (e.g. https://chat.example.com) allowed to open WebSockets besides the server's own host"),
            new Setting("--max-connections", "CHATROOM_MAX_CONNECTIONS", "100000", "open WebSockets beyond which upgrades get 503"),
            new Setting(
                    "--socket-idle",
                    "CHATROOM_SOCKET_IDLE",
                    "60s",
                    "a WebSocket silent this long is pinged, and closed if silent twice as long (pages ping every 25s)"),
            new Setting("--transport", "CHATROOM_TRANSPORT", "auto",
                    "how sockets are driven: epoll, io_uring, nio, or auto (io_uring, then epoll, then nio)"),
            new Setting(
                    "--request-timeout",
                    "CHATROOM_REQUEST_TIMEOUT",
                    "10s",
                    "time a client has to send a whole request (a WebSocket upgrade too) once it starts one; then the connection is closed"),
            new Setting(
                    "--http-idle",
                    "CHATROOM_HTTP_IDLE",
                    "60s",
                    "a kept-alive HTTP connection with no request for this long is closed"),
            new Setting(
                    "--max-sockets-per-ip",
                    "CHATROOM_MAX_SOCKETS_PER_IP",
                    "50",
                    "open WebSockets one client address may hold (behind --trusted-proxies, the forwarded address; an IPv6 "
                            + "--ipv6-prefix network counts as one address); more get 429. "
                            + "This machine (loopback) is not capped: it may be a proxy not listed in --trusted-proxies"),
            new Setting(
                    "--ipv6-prefix",
                    "CHATROOM_IPV6_PREFIX",
                    "64",
                    "prefix length, 32 to 128, of the IPv6 network that counts as one client address for every per-address "
                            + "limit: a host usually has a whole /64 to pick addresses from; 128 counts each address alone"),
            new Setting(
                    "--trusted-proxies",
                    "CHATROOM_TRUSTED_PROXIES",
                    "",
                    "comma-separated addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8,::1) of reverse proxies whose "
                            + "Forwarded / X-Forwarded-For, -Proto and -Host headers are believed; from any other peer they are ignored"),
            new Setting(
                    "--public-url",
                    "CHATROOM_PUBLIC_URL",
                    "",
                    "the address users open, e.g. https://chat.example.org: requests for any other host get 421, WebSockets "
                            + "and forms only from its pages, Secure cookies if https; unset, the Host header is the site"),
            new Setting(
                    "--hsts",
                    "CHATROOM_HSTS",
                    "0s",
                    "with an https --public-url, send Strict-Transport-Security with this max-age, e.g. 365d (0s sends none)"),
            new Setting(
                    "--cookie-max-age",
                    "CHATROOM_COOKIE_MAX_AGE",
                    "400d",
                    "an identity cookie issued longer ago than this makes its bearer a new guest; renewed on visits after half of it"),
            new Setting(
                    "--guests",
                    "CHATROOM_GUESTS",
                    "post",
                    "what visitors without an account may do: post, read (rooms but not write in them) or off (only the "
                            + "lobby and signing in); owners change it on /admin, and what they chose is kept in the database"),
            new Setting(
                    "--auth-header",
                    "CHATROOM_AUTH_HEADER",
                    "",
                    "single sign-on behind an auth proxy (oauth2-proxy, Authelia, Authentik, Pomerium): the request header, "
                            + "e.g. Remote-User, naming the signed-in user, believed only from --trusted-proxies (a request "
                            + "from anywhere else carrying it is refused); that user is the account. Unset: no single sign-on"),
            new Setting(
                    "--auth-name-header",
                    "CHATROOM_AUTH_NAME_HEADER",
                    "",
                    "with --auth-header: the header with the user's display name, e.g. Remote-Name (else the user's name is shown)"),
            new Setting(
                    "--public-status",
                    "CHATROOM_PUBLIC_STATUS",
                    "false",
                    "true lets anyone read GET /status; by default it answers only requests from this machine (loopback), "
                            + "never from an address in --trusted-proxies"),
            new Setting(
                    "--new-secret",
                    "CHATROOM_NEW_SECRET",
                    "false",
                    "true lets a server whose database has messages start without its identity secret file and make a new one "
                            + "(every user then becomes a new guest); without it such a start is refused"),
            new Setting(
                    "--drain",
                    "CHATROOM_DRAIN",
                    "10s",
                    "on shutdown, how long to spend closing sockets (1012, in batches) so clients reconnect elsewhere"),
            new Setting(
                    "--keep",
                    "CHATROOM_KEEP",
                    "forever",
                    "delete messages older than this, e.g. 90d or 12h, in the background in small batches; forever keeps all"),
            new Setting(
                    "--keep-per-room",
                    "CHATROOM_KEEP_PER_ROOM",
                    "all",
                    "keep only this many newest messages of each room, e.g. 10000; all keeps every one"),
            new Setting(
                    "--prune-every",
                    "CHATROOM_PRUNE_EVERY",
                    "5m",
                    "with --keep or --keep-per-room, how often the background task looks for messages to delete"),
            new Setting(
                    "--store-timeout",
                    "CHATROOM_STORE_TIMEOUT",
                    "5s",
                    "a message not stored within this is reported \"not sent\" to its sender (the page offers to send it "
                            + "again; stored later after all, it is shown once); on PostgreSQL also each statement's and lock "
                            + "wait's limit"),
            // operations: metrics and logs
            new Setting(
                    "--metrics-port",
                    "CHATROOM_METRICS_PORT",
                    "",
                    "port of the management listener serving GET /metrics in Prometheus's format, e.g. 9464 "
                            + "(0 picks a free one); unset = no listener"),
            new Setting(
                    "--metrics-host",
                    "CHATROOM_METRICS_HOST",
                    "127.0.0.1",
                    "address the metrics listener binds; the default keeps it on this machine"),
            new Setting(
                    "--log-format",
                    "CHATROOM_LOG_FORMAT",
                    "text",
                    "text, or json: one JSON object per line (level, loggerName, formattedMessage…) for log shippers"),
            // cluster mode: all of these matter only when --database and --redis are set
            new Setting(
                    "--database",
                    "CHATROOM_DATABASE",
                    "",
                    "cluster mode: PostgreSQL shared by every node, postgresql://HOST:PORT/DB?user=… or jdbc:postgresql://…;"
                            + " unset = embedded SQLite (--db)"),
            new Setting(
                    "--redis",
                    "CHATROOM_REDIS",
                    "",
                    "cluster mode: Redis that carries messages between nodes, redis://HOST:PORT[/db] or rediss://…"),
            new Setting(
                    "--redis-prefix",
                    "CHATROOM_REDIS_PREFIX",
                    "chatroom",
                    "cluster mode: prefix of this deployment's Redis channels; deployments sharing a Redis need different ones"),
            new Setting(
                    "--tail-check",
                    "CHATROOM_TAIL_CHECK",
                    "5s",
                    "cluster mode: how often each node checks its rooms' latest messages in the database, for any Redis lost"),
            new Setting(
                    "--node-id",
                    "CHATROOM_NODE_ID",
                    "",
                    "cluster mode: this node's name, unique in the cluster; default: host name and a random suffix"),
            new Setting(
                    "--presence-heartbeat",
                    "CHATROOM_PRESENCE_HEARTBEAT",
                    "2s",
                    "cluster mode: how often each node tells Redis it is alive"),
            new Setting(
                    "--presence-node-timeout",
                    "CHATROOM_PRESENCE_NODE_TIMEOUT",
                    "10s",
                    "cluster mode: a node silent this long is declared dead and its users leave; at least twice "
                            + "--presence-heartbeat plus 2s"),
            new Setting(
                    "--presence-sweep",
                    "CHATROOM_PRESENCE_SWEEP",
                    "5s",
                    "cluster mode: how often some node looks for dead nodes (a dead node's users leave within "
                            + "--presence-node-timeout plus this)"),
            new Setting(
                    null,
                    "CHATROOM_SECRET",
                    "",
                    "the identity secret as base64 or hex of at least " + MIN_SECRET_BYTES
                            + " bytes, instead of --secret-file; every cluster node needs the same one"));

    public static Config defaults() {
        return parse(new String[0], Map.of());
    }

    /** Reads flags ({@code --port 9000} or {@code --port=9000}) over environment variables over defaults. */
    public static Config parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Setting s : SETTINGS) {
            values.put(s.key(), env.getOrDefault(s.env, s.defaultValue));
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                value = null;
            }
            if (!flag.startsWith("--") || !values.containsKey(flag)) {
                throw new IllegalArgumentException("unknown option " + flag + "; see --help");
            }
            if (value == null) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            values.put(flag, value);
        }
        Store store = store(values);
        Identity identity = identity(values, store.db());
        Cluster cluster = cluster(values, identity);
        return new Config(
                listen(values),
                limits(values),
                identity,
                rooms(values),
                store,
                cluster,
                retention(values),
                metrics(values),
                oneOf(values, "--log-format", "text", "json"));
    }

    private static Listen listen(Map<String, String> values) {
        return new Listen(
                values.get("--host"),
                intIn(values, "--port", 0, 65535),
                oneOf(values, "--transport", "auto", "io_uring", "epoll", "nio"),
                duration(values, "--socket-idle"),
                positive(duration(values, "--request-timeout"), "--request-timeout"),
                positive(duration(values, "--http-idle"), "--http-idle"),
                publicUrl(values, "--public-url"),
                origins(values.get("--allowed-origins")),
                addressRanges(values, "--trusted-proxies"),
                duration(values, "--hsts"),
                oneOf(values, "--public-status", "false", "true").equals("true"));
    }

    private static Limits limits(Map<String, String> values) {
        return new Limits(
                rate(values, "--rate", "--burst"),
                rate(values, "--user-rate", "--user-burst"),
                rate(values, "--ip-rate", "--ip-burst"),
                rate(values, "--frame-rate", "--frame-burst"),
                intIn(values, "--renames-per-minute", 0, 1_000_000),
                rate(values, "--upgrades-per-ip", "--upgrade-burst-per-ip"),
                rate(values, "--new-rooms-per-ip", "--new-room-burst-per-ip"),
                intIn(values, "--max-message-chars", 1, 1_000_000),
                intIn(values, "--max-frame-bytes", 1024, 16 * 1024 * 1024),
                intIn(values, "--send-queue-bytes", 4096, 1 << 30),
                intIn(values, "--max-connections", 1, 10_000_000),
                intIn(values, "--max-sockets-per-ip", 1, 10_000_000),
                intIn(values, "--ipv6-prefix", 32, 128),
                maxRooms(values));
    }

    private static Rate rate(Map<String, String> values, String rateFlag, String burstFlag) {
        return new Rate(number(values, rateFlag, Double::parseDouble, 0.0, 1e9), intIn(values, burstFlag, 1, 1_000_000));
    }

    private static Identity identity(Map<String, String> values, Path db) {
        String secret = values.get("--secret-file");
        return new Identity(
                secret.isBlank() ? siblingOf(db, "chatroom.secret") : Path.of(secret),
                secret(values.get("CHATROOM_SECRET")),
                oneOf(values, "--new-secret", "false", "true").equals("true"),
                positive(duration(values, "--cookie-max-age"), "--cookie-max-age"),
                oneOf(values, "--guests", "post", "read", "off"),
                values.get("--auth-header").strip(),
                values.get("--auth-name-header").strip());
    }

    private static Rooms rooms(Map<String, String> values) {
        return new Rooms(intIn(values, "--history", 1, 1000), duration(values, "--room-idle"));
    }

    private static Store store(Map<String, String> values) {
        return new Store(Path.of(values.get("--db")), positive(values, "--store-timeout"));
    }

    /** Both URLs or neither; a node given them must also have the secret the others sign cookies with. */
    private static Cluster cluster(Map<String, String> values, Identity identity) {
        Url database = new Url(database(values.get("--database")));
        Url redis = new Url(redis(values.get("--redis")));
        if (database.isEmpty() != redis.isEmpty()) {
            throw new IllegalArgumentException("cluster mode needs both --database and --redis; only "
                    + (database.isEmpty() ? "--redis" : "--database") + " is set");
        }
        if (!database.isEmpty() && identity.sharedSecret().isEmpty() && !Files.isRegularFile(identity.secretFile())) {
            throw new IllegalArgumentException("a cluster node needs the identity secret that every node shares: set "
                    + "CHATROOM_SECRET, or put it in --secret-file (" + identity.secretFile().toAbsolutePath()
                    + " does not exist); a cluster node never makes one up, or each node would sign cookies the others reject");
        }
        return new Cluster(
                database,
                redis,
                name(values, "--redis-prefix"),
                positive(values, "--tail-check"),
                values.get("--node-id").isBlank() ? defaultNodeId() : name(values, "--node-id"),
                duration(values, "--drain"),
                presence(values));
    }

    private static Retention retention(Map<String, String> values) {
        return new Retention(keep(values), keepPerRoom(values), positive(values, "--prune-every"));
    }

    private static Metrics metrics(Map<String, String> values) {
        return new Metrics(
                name(values, "--metrics-host"),
                values.get("--metrics-port").isBlank() ? METRICS_OFF : intIn(values, "--metrics-port", 0, 65535));
    }

    /** {@code --max-rooms}: auto ({@link #MAX_ROOMS_AUTO}), 0 for no cap, or a number of rooms. */
    private static int maxRooms(Map<String, String> values) {
        if (values.get("--max-rooms").trim().equalsIgnoreCase("auto")) {
            return MAX_ROOMS_AUTO;
        }
        try {
            return intIn(values, "--max-rooms", 0, 100_000_000);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("expected a number", "expected auto or a number"));
        }
    }

    private static Presence presence(Map<String, String> values) {
        Duration heartbeat = positive(values, "--presence-heartbeat");
        Duration nodeTimeout = positive(values, "--presence-node-timeout");
        Duration least = heartbeat.multipliedBy(2).plus(Presence.SLOW_REDIS);
        if (nodeTimeout.compareTo(least) < 0) {
            throw new IllegalArgumentException("--presence-node-timeout is " + nodeTimeout.toMillis() + "ms; with "
                    + "--presence-heartbeat " + heartbeat.toMillis() + "ms it must be at least " + least.toMillis()
                    + "ms (twice the heartbeat plus " + Presence.SLOW_REDIS.toSeconds() + "s), or live nodes would be declared dead");
        }
        return new Presence(heartbeat, nodeTimeout, positive(values, "--presence-sweep"));
    }

    /** True when several nodes share PostgreSQL and Redis; false for one node on an embedded SQLite file. */
    public boolean clusterMode() {
        return cluster.on();
    }

    public static String help() {
        StringBuilder out = new StringBuilder("usage: java -jar chatroom.jar [options]\n"
                + "       java -jar chatroom.jar bench <scenario> [options]   (load generator; bench --help)\n"
                + "       java -jar chatroom.jar backup FILE | export ROOM      (see backup --help, docs/BACKUP.md)\n\noptions:\n");
        for (Setting s : SETTINGS) {
            out.append(String.format("  %-22s %s%n  %-22s   env %s, default %s%n",
                    s.flag != null ? s.flag : "(environment only)", s.help, "", s.env,
                    s.defaultValue.isEmpty() ? "(none)" : s.defaultValue));
        }
        return out.toString();
    }

    private static String oneOf(Map<String, String> values, String flag, String... allowed) {
        String value = values.get(flag).trim().toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(value)) {
            throw new IllegalArgumentException(flag + " is '" + value + "'; expected one of " + String.join(", ", allowed));
        }
        return value;
    }

    private static Path siblingOf(Path file, String name) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(name) : parent.resolve(name);
    }

    private static int intIn(Map<String, String> values, String flag, int min, int max) {
        return number(values, flag, Integer::parseInt, min, max);
    }

    private static <N extends Number & Comparable<N>> N number(
            Map<String, String> values, String flag, Function<String, N> parser, N min, N max) {
        String raw = values.get(flag).trim();
        N value;
        try {
            value = parser.apply(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " is '" + raw + "'; expected a number from " + min + " to " + max);
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(flag + " is " + raw + "; expected a number from " + min + " to " + max);
        }
        return value;
    }

    private static Duration positive(Duration value, String flag) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(flag + " is " + value.toMillis() + "ms; expected a duration above 0");
        }
        return value;
    }

    /** Accepts {@code 500ms}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 400d}, or an ISO-8601 duration. */
    static Duration duration(Map<String, String> values, String flag) {
        String raw = values.get(flag).trim().toLowerCase();
        try {
            if (raw.startsWith("p")) {
                return Duration.parse(raw.toUpperCase());
            }
            if (raw.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(raw.substring(0, raw.length() - 2)));
            }
            long amount = Long.parseLong(raw.substring(0, raw.length() - 1));
            return switch (raw.charAt(raw.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " is '" + raw + "'; expected a duration such as 500ms, 60s, 5m or 400d");
        }
    }

    /** {@code --keep}: how old a message may get (at least a second), or empty for forever. */
    private static Optional<Duration> keep(Map<String, String> values) {
        String raw = values.get("--keep").trim();
        if (raw.equalsIgnoreCase("forever")) {
            return Optional.empty();
        }
        Duration keep = duration(values, "--keep");
        if (keep.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "--keep is '" + raw + "'; expected forever or a duration of at least 1s, such as 90d or 12h");
        }
        return Optional.of(keep);
    }

    /** {@code --keep-per-room}: how many of each room's newest messages to keep, or 0 for all of them. */
    private static long keepPerRoom(Map<String, String> values) {
        String raw = values.get("--keep-per-room").trim();
        if (raw.equalsIgnoreCase("all")) {
            return 0;
        }
        try {
            long count = Long.parseLong(raw);
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException(
                "--keep-per-room is '" + raw + "'; expected all or a number of messages of at least 1, such as 10000");
    }

    /** {@code https://host[:port]}, lower case, without a trailing slash; "" when unset. */
    private static String publicUrl(Map<String, String> values, String flag) {
        String raw = values.get(flag).trim();
        if (raw.isEmpty()) {
            return "";
        }
        String url = raw.toLowerCase(Locale.ROOT);
        if (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            URI uri = new URI(url);
            if ((uri.getScheme().equals("http") || uri.getScheme().equals("https")) && uri.getHost() != null
                    && uri.getRawPath().isEmpty() && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && uri.getRawUserInfo() == null) {
                return url;
            }
        } catch (URISyntaxException | NullPointerException e) {
            // answered below
        }
        throw new IllegalArgumentException(flag + " is '" + raw
                + "'; expected a scheme and host with an optional port and no path, e.g. https://chat.example.org");
    }

    /** Literal IPv4 or IPv6 addresses, each optionally with a /prefix; never a name (that would need DNS). */
    private static List<String> addressRanges(Map<String, String> values, String flag) {
        List<String> ranges = new ArrayList<>();
        for (String part : values.get(flag).split(",")) {
            String range = part.trim();
            if (range.isEmpty()) {
                continue;
            }
            int slash = range.indexOf('/');
            String address = slash < 0 ? range : range.substring(0, slash);
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
            boolean valid = bytes != null;
            if (valid && slash >= 0) {
                try {
                    int prefix = Integer.parseInt(range.substring(slash + 1));
                    valid = prefix >= 0 && prefix <= bytes.length * 8;
                } catch (NumberFormatException e) {
                    valid = false;
                }
            }
            if (!valid) {
                throw new IllegalArgumentException(flag + " has '" + range
                        + "'; expected IP addresses or CIDR ranges such as 10.0.0.0/8 or fd00::/8, separated by commas");
            }
            ranges.add(range);
        }
        return List.copyOf(ranges);
    }

    private static Duration positive(Map<String, String> values, String flag) {
        Duration value = duration(values, flag);
        if (!value.isPositive()) {
            throw new IllegalArgumentException(flag + " is '" + values.get(flag).trim() + "'; expected a duration above 0");
        }
        return value;
    }

    /** A prefix or node id: 1–100 characters, none of them space or control (they end up in Redis channel names). */
    private static String name(Map<String, String> values, String flag) {
        String value = values.get(flag).trim();
        if (value.isEmpty() || value.length() > 100
                || value.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException(flag + " is '" + value + "'; expected 1–100 characters without spaces");
        }
        return value;
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        return host.replaceAll("[\\s\\p{Cntrl}]", "") + "-" + HexFormat.of().toHexDigits((short) new SecureRandom().nextInt());
    }

    /**
     * {@code --database} as a pgjdbc URL: {@code jdbc:postgresql://…} as given; {@code postgresql://} or
     * {@code postgres://} (what PostgreSQL tools and hosting services print) with user and password moved
     * from before the host into parameters, where pgjdbc reads them. Empty when unset.
     */
    static String database(String raw) {
        String value = raw.trim();
        if (value.isEmpty()) {
            return "";
        }
        String expected = "; expected postgresql://HOST:PORT/DB?user=… or jdbc:postgresql://HOST:PORT/DB?user=…";
        String plain = value.startsWith("jdbc:") ? value.substring("jdbc:".length()) : value;
        URI uri;
        try {
            uri = new URI(plain);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--database is '" + redact(value) + "'" + expected);
        }
        boolean knownScheme = "postgresql".equals(uri.getScheme())
                || ("postgres".equals(uri.getScheme()) && !value.startsWith("jdbc:"));
        String db = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (!knownScheme || uri.getHost() == null || db.isEmpty() || db.contains("/")) {
            throw new IllegalArgumentException("--database is '" + redact(value) + "'" + expected);
        }
        if (value.startsWith("jdbc:")) {
            return value;
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getRawAuthority().replaceFirst("^.*@", ""))
                .append(uri.getRawPath());
        List<String> params = new ArrayList<>();
        if (uri.getRawUserInfo() != null) {
            String[] userInfo = uri.getRawUserInfo().split(":", 2);
            params.add("user=" + userInfo[0]);
            if (userInfo.length == 2) {
                params.add("password=" + userInfo[1]);
            }
        }
        if (uri.getRawQuery() != null) {
            params.add(uri.getRawQuery());
        }
        if (!params.isEmpty()) {
            jdbc.append('?').append(String.join("&", params));
        }
        return jdbc.toString();
    }

    /** {@code --redis}: {@code redis://[:PASSWORD@]HOST[:PORT][/DB]} or {@code rediss://…}; empty when unset. */
    static String redis(String raw) {
        String value = raw.trim();
        if (value.isEmpty()) {
            return "";
        }
        String problem = "'" + redact(value) + "'; expected redis://HOST:PORT[/db] or rediss://HOST:PORT[/db]";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--redis is " + problem);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
                || uri.getHost() == null
                || !path.matches("(/\\d{0,5})?")
                || uri.getRawQuery() != null && !uri.getRawQuery().matches("[\\w=&.-]*")) {
            throw new IllegalArgumentException("--redis is " + problem);
        }
        return value;
    }

    /** CHATROOM_SECRET: hex or base64 (standard or URL-safe) of at least {@link #MIN_SECRET_BYTES} bytes. */
    static Optional<Secret> secret(String raw) {
        String value = raw.trim();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            if (value.matches("([0-9a-fA-F]{2})+")) {
                bytes = HexFormat.of().parseHex(value);
            } else if (value.indexOf('-') >= 0 || value.indexOf('_') >= 0) {
                bytes = Base64.getUrlDecoder().decode(value);
            } else {
                bytes = Base64.getDecoder().decode(value);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "CHATROOM_SECRET is neither hex nor base64; expected " + MIN_SECRET_BYTES + " or more random bytes in either");
        }
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("CHATROOM_SECRET is " + bytes.length + " bytes once decoded; expected at least "
                    + MIN_SECRET_BYTES + " (e.g. openssl rand -hex 32)");
        }
        return Optional.of(new Secret(bytes));
    }

    /** The URL with any password replaced by ***, for error messages. */
    static String redact(String url) {
        return url.replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    private static Set<String> origins(String raw) {
        List<String> origins = new ArrayList<>();
        for (String part : raw.split(",")) {
            String origin = part.trim().toLowerCase();
            if (origin.endsWith("/")) {
                origin = origin.substring(0, origin.length() - 1);
            }
            if (!origin.isEmpty()) {
                origins.add(origin);
            }
        }
        return Set.copyOf(origins);
    }
}
