package chatroom;

import chatroom.account.Passkeys;
import chatroom.store.Invites;
import chatroom.store.StoreException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's {@code admin} verbs, run beside the server against its database; the server (every
 * node) reads what they wrote from there. Today one: {@code admin invite}, a one-time link that makes
 * whoever accepts it first an owner. The link is printed alone on the last line of standard output, so
 * a script can take it with {@code tail -n 1}. Exit status 0 done, 1 failed, 2 wrong command line.
 */
final class AdminCommands {

    static final Duration INVITE_VALID = Duration.ofHours(24);

    static final String USAGE = """
            usage: java -jar chatroom.jar admin invite [--db PATH | --database postgresql://…] [--public-url URL] [--port N]
              invite  prints a link, good once for 24 hours, that makes the account opening it an owner
                      (owners see /admin: they appoint moderators and say whether guests may post). The
                      link is on the last line; it starts with --public-url, or http://localhost:PORT
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final SecureRandom random = new SecureRandom();

    AdminCommands(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args, Map<String, String> env) {
        if (args.length == 0 || args[0].equals("--help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (!args[0].equals("invite")) {
            err.println("chatroom: admin " + args[0] + ": no such verb");
            err.print(USAGE);
            return 2;
        }
        Map<String, String> flags = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (!List.of("--db", "--database", "--public-url", "--port").contains(flag) || i + 1 >= args.length) {
                err.println("chatroom: admin invite: " + (i + 1 >= args.length && flag.startsWith("--")
                        ? flag + " needs a value" : "unknown option " + flag));
                err.print(USAGE);
                return 2;
            }
            flags.put(flag, args[++i]);
        }
        String database = flags.getOrDefault("--database", env.getOrDefault("CHATROOM_DATABASE", ""));
        Path db = Path.of(flags.getOrDefault("--db", env.getOrDefault("CHATROOM_DB", "chatroom.db")));
        String base = flags.getOrDefault("--public-url", env.getOrDefault("CHATROOM_PUBLIC_URL", ""));
        if (base.isBlank()) base = "http://localhost:" + flags.getOrDefault("--port", env.getOrDefault("CHATROOM_PORT", "8080"));
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;

        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Passkeys.base64(bytes);
        long now = System.currentTimeMillis();
        try (Connection connection = database.isBlank() ? Invites.sqlite(db) : Invites.postgres(database)) {
            Invites.create(connection, Passkeys.hash(token.getBytes(StandardCharsets.US_ASCII)), now,
                    now + INVITE_VALID.toMillis());
        } catch (StoreException e) {
            err.println("chatroom: " + e.getMessage());
            return 1;
        } catch (SQLException e) {
            err.println("chatroom: cannot write the invite: " + e.getMessage());
            return 1;
        }
        out.println("An owner invite, good once until " + Instant.ofEpochMilli(now + INVITE_VALID.toMillis())
                + ". Open it signed in (Keep this name first, if you have not): whoever accepts it first becomes an owner.");
        out.println(base + "/admin/invite/" + token);
        return 0;
    }
}
