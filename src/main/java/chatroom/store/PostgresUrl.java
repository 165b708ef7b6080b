package chatroom.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL address as an operator writes it — {@code postgresql://HOST[:PORT]/DB?user=U&password=P}
 * (libpq's form, {@code postgres://} and {@code user:password@} accepted too) or pgjdbc's {@code
 * jdbc:postgresql://HOST[:PORT]/DB?…} — turned into what pgjdbc takes. Query parameters are passed to pgjdbc
 * as they are. {@link #toString} never shows the password.
 *
 * @param user null when the URL names none (pgjdbc then takes it from the query or its default)
 * @param password null when the URL has none in its user part
 */
record PostgresUrl(String host, int port, String database, String jdbcUrl, String user, String password) {

    static final int DEFAULT_PORT = 5432;
    static final String EXPECTED =
            "postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD or jdbc:postgresql://HOST:PORT/DATABASE?…";

    static PostgresUrl parse(String url) {
        if (url == null || url.isBlank()) throw invalid(url, "it is empty");
        String rest;
        if (url.startsWith("jdbc:postgresql://")) {
            rest = url.substring("jdbc:postgresql://".length());
        } else if (url.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (url.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else {
            throw invalid(url, "it does not start with postgresql:// or jdbc:postgresql://");
        }
        URI uri;
        try {
            uri = new URI("postgresql://" + rest);
        } catch (URISyntaxException e) {
            throw invalid(url, e.getReason());
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw invalid(url, uri.getRawAuthority() != null && uri.getRawAuthority().contains(",")
                    ? "it names several hosts; give one"
                    : "it has no host (or the host or port is malformed)");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        String path = uri.getRawPath();
        if (path == null || path.length() < 2 || path.indexOf('/', 1) >= 0) {
            throw invalid(url, "it names no database: expected /DATABASE after the host");
        }
        String database = decode(path.substring(1));
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String jdbcUrl = "jdbc:postgresql://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + ":" + port + path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new PostgresUrl(host, port, database, jdbcUrl, user, password);
    }

    /** {@code host:port/database}: what log lines and errors call this database. */
    @Override
    public String toString() {
        return host + ":" + port + "/" + database;
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException(
                "PostgreSQL URL '" + withoutPassword(url) + "' is not valid: " + why + "; expected " + EXPECTED);
    }

    /** The URL with any password replaced by ***, for error messages. */
    static String withoutPassword(String url) {
        if (url == null) return null;
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@");
    }
}
