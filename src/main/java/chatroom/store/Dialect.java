package chatroom.store;

import java.util.List;

/**
 * What differs between the databases {@link JdbcMessageStore} runs on. Everything else — the schema in
 * {@code db/migration/common}, every SQL statement in the store — is written once, in syntax SQLite and
 * PostgreSQL both accept ({@code INSERT … ON CONFLICT … DO UPDATE … RETURNING}, {@code LIMIT}, BIGINT
 * epoch times), so that this enum stays small. Connection settings (SQLite pragmas, a PostgreSQL URL)
 * belong to the factory that opens the pool, not here.
 */
enum Dialect {
    /**
     * A SQLite file. Migrations that only SQLite needs go under {@code db/migration/sqlite}; add that
     * location here together with the first such file (Flyway warns about a location that does not exist).
     */
    SQLITE("SQLite", List.of("classpath:db/migration/common"));

    private final String displayName;
    private final List<String> migrationLocations;

    Dialect(String displayName, List<String> migrationLocations) {
        this.displayName = displayName;
        this.migrationLocations = migrationLocations;
    }

    String displayName() {
        return displayName;
    }

    /** Flyway locations, shared first: a dialect's own migrations are numbered to run after the common ones. */
    String[] migrationLocations() {
        return migrationLocations.toArray(String[]::new);
    }
}
