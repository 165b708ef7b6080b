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
     * A SQLite file. Migrations that only one database needs would go under {@code db/migration/sqlite} or
     * {@code db/migration/postgresql}; add that location here together with the first such file (Flyway warns
     * about a location that does not exist).
     */
    SQLITE("SQLite", List.of("classpath:db/migration/common")),
    POSTGRESQL("PostgreSQL", List.of("classpath:db/migration/common"));

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
