package chatroom;

import chatroom.room.InvalidInputException;
import chatroom.room.RoomName;
import chatroom.store.ReadOnlyDatabase;
import chatroom.store.RoomExport;
import chatroom.store.SqliteBackup;
import chatroom.store.StoreException;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The operator's commands that work on a database while a server uses it: {@code backup FILE} and {@code export
 * ROOM}. Each opens one read-only connection ({@link ReadOnlyDatabase}) and returns an exit status: 0 done, 1
 * failed (the message says why), 2 the command line was wrong. The database is named as for the server:
 * {@code --db} / {@code CHATROOM_DB}, or {@code --database} / {@code CHATROOM_DATABASE} for PostgreSQL.
 */
final class StoreCommands {

    static final String USAGE = """
            usage: java -jar chatroom.jar backup FILE [--force] [--db PATH]
                   java -jar chatroom.jar export ROOM [--after SEQ] [--db PATH | --database postgresql://…]
              backup  copies the SQLite database to FILE while the server runs (refuses an existing FILE
                      unless --force, and always the database itself, a file beside it such as its -wal,
                      or a database a server has open); for PostgreSQL use pg_dump, see docs/BACKUP.md
              export  writes the room's messages to standard output as JSON lines, oldest first
                      ({"seq","time","authorId","authorName","text"}); a private room by its whole id, ~…
            """;

    private final PrintStream out;
    private final PrintStream err;

    StoreCommands(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code backup FILE [--force] [--db PATH] [--secret-file PATH]}. */
    int backup(String[] args, Map<String, String> env) {
        if (List.of(args).contains("--help")) return help();
        Arguments arguments;
        try {
            arguments = Arguments.parse(args, Set.of("--db", "--database", "--secret-file"), Set.of("--force"));
            arguments.onePositional("backup needs the FILE to write, e.g. backup chatroom-2026-11-28.db");
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        String database = arguments.value("--database", env.getOrDefault("CHATROOM_DATABASE", ""));
        if (!database.isBlank()) {
            err.println("chatroom: cluster mode keeps messages in PostgreSQL, which this command does not copy."
                    + " Back it up with pg_dump, which takes a consistent snapshot while the nodes run:\n"
                    + "  pg_dump --format=custom --file " + arguments.positional() + " '" + Config.redact(database)
                    + "'\nand restore with pg_restore; see docs/BACKUP.md.");
            return 2;
        }
        Config config;
        try {
            config = serverFiles(arguments, env);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        try {
            SqliteBackup.Copied copy =
                    SqliteBackup.copy(config.store().db(), Path.of(arguments.positional()), arguments.has("--force"));
            out.printf(Locale.ROOT, "copied %s to %s: %d messages in %d rooms, %,d bytes%n",
                    config.store().db().toAbsolutePath(), copy.file().toAbsolutePath(), copy.messages(), copy.rooms(),
                    copy.bytes());
            out.println("the identity secret is not in the copy: keep " + config.identity().secretFile().toAbsolutePath()
                    + " with it (without it every user becomes a new guest)");
            return 0;
        } catch (StoreException e) {
            err.println("chatroom: " + e.getMessage());
            return 1;
        }
    }

    /** {@code export ROOM [--after SEQ] [--db PATH | --database URL]}. */
    int export(String[] args, Map<String, String> env, OutputStream stdout) {
        if (List.of(args).contains("--help")) return help();
        Arguments arguments;
        long after;
        Config config;
        String room;
        try {
            arguments = Arguments.parse(args, Set.of("--db", "--database", "--after"), Set.of());
            arguments.onePositional("export needs the ROOM, e.g. export general (or ~… for a private room)");
            String rawAfter = arguments.value("--after", "0");
            try {
                after = Long.parseLong(rawAfter);
            } catch (NumberFormatException e) {
                after = -1;
            }
            if (after < 0) throw new IllegalArgumentException("--after is '" + rawAfter + "'; expected a seq ≥ 0");
            config = serverFiles(arguments, env);
            room = RoomName.parse(arguments.positional()).value();
        } catch (IllegalArgumentException | InvalidInputException e) {
            return usage(e.getMessage());
        }
        String database = arguments.value("--database", env.getOrDefault("CHATROOM_DATABASE", ""));
        OutputStream lines = new BufferedOutputStream(stdout, 1 << 16);
        try (Connection connection = database.isBlank()
                ? ReadOnlyDatabase.sqlite(config.store().db())
                : ReadOnlyDatabase.postgres(database)) {
            RoomExport.write(connection, room, after, lines);
            return 0;
        } catch (RoomExport.UnknownRoom | StoreException | UncheckedIOException e) {
            err.println("chatroom: " + e.getMessage());
            return 1;
        } catch (SQLException e) {
            err.println("chatroom: room " + room + ": cannot read it: " + e.getMessage());
            return 1;
        }
    }

    private int help() {
        out.print(USAGE);
        return 0;
    }

    private int usage(String problem) {
        err.println("chatroom: " + problem);
        err.print(USAGE);
        return 2;
    }

    /** The SQLite file and the secret beside it, resolved exactly as the server resolves them. */
    private static Config serverFiles(Arguments arguments, Map<String, String> env) {
        List<String> flags = new ArrayList<>();
        for (String flag : List.of("--db", "--secret-file")) {
            if (arguments.has(flag)) flags.addAll(List.of(flag, arguments.value(flag, "")));
        }
        Map<String, String> files = new HashMap<>();
        for (String name : List.of("CHATROOM_DB", "CHATROOM_SECRET_FILE")) {
            if (env.containsKey(name)) files.put(name, env.get(name));
        }
        return Config.parse(flags.toArray(String[]::new), files);
    }

    /** One positional argument and the named flags, {@code --flag value} or {@code --flag=value}. */
    private record Arguments(List<String> positionals, Map<String, String> values) {

        static Arguments parse(String[] args, Set<String> withValue, Set<String> switches) {
            List<String> positionals = new ArrayList<>();
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    positionals.add(arg);
                    continue;
                }
                int eq = arg.indexOf('=');
                String flag = eq > 0 ? arg.substring(0, eq) : arg;
                if (switches.contains(flag) && eq < 0) {
                    values.put(flag, "true");
                } else if (withValue.contains(flag)) {
                    if (eq < 0 && i + 1 >= args.length) throw new IllegalArgumentException(flag + " needs a value");
                    values.put(flag, eq > 0 ? arg.substring(eq + 1) : args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            return new Arguments(positionals, values);
        }

        void onePositional(String missing) {
            if (positionals.isEmpty()) throw new IllegalArgumentException(missing);
            if (positionals.size() > 1) {
                throw new IllegalArgumentException("expected one argument, got " + String.join(" ", positionals));
            }
        }

        String positional() {
            return positionals.getFirst();
        }

        boolean has(String flag) {
            return values.containsKey(flag);
        }

        String value(String flag, String otherwise) {
            return values.getOrDefault(flag, otherwise);
        }
    }
}
