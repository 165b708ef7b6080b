package chatroom.store;

import java.util.List;

/**
 * What differs between the databases {@link JdbcMessageStore} runs on, as far as the store's SQL is
 * concerned. The schema in {@code db/migration/common} and every statement in {@link Sql} are written once,
 * so this enum stays small. Connection settings (SQLite pragmas, a PostgreSQL URL) belong to the factory
 * that opens the pool ({@link SqliteStore}, {@link PostgresStore}), not here.
 */
enum Dialect {
    /**
     * A SQLite file: the common migrations and SQLite's own ({@code db/migration/sqlite}). Versions are unique
     * across both locations, so a version taken by one database's own migration is simply absent on the
     * other.
     */
    SQLITE("SQLite", List.of("classpath:db/migration/common", "classpath:db/migration/sqlite")),
    /** PostgreSQL: the common migrations and its own ({@code db/migration/postgresql}). */
    POSTGRESQL("PostgreSQL", List.of("classpath:db/migration/common", "classpath:db/migration/postgresql"));

    private final String displayName;
    private final List<String> migrationLocations;

    Dialect(String displayName, List<String> migrationLocations) {
        this.displayName = displayName;
        this.migrationLocations = migrationLocations;
    }

    @Override
    public String toString() {
        return displayName;
    }

    /** Flyway locations, shared first: a dialect's own migrations are numbered to run after the common ones. */
    String[] migrationLocations() {
        return migrationLocations.toArray(String[]::new);
    }
}
