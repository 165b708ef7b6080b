package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.ChildServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Accounts across nodes: a session signs in on every node, and a sign-out on one ends it on all, closing
 * its sockets on the others within seconds, with nothing but the shared database between them.
 */
class ClusterAccountsTest {

    private Cluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = Cluster.start(2);
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    void a_sign_out_on_one_node_closes_the_session_s_socket_on_another() throws Exception {
        // an account and a session, as a passkey sign-in on some node would have stored them
        String sessionId = "s3ss10n-" + System.nanoTime();
        long now = System.currentTimeMillis();
        try (Connection db = DriverManager.getConnection(cluster.jdbcUrl());
                Statement sql = db.createStatement()) {
            sql.execute("INSERT INTO accounts (user_id, name, name_key, role, created_ms, changed_ms)"
                    + " VALUES ('u-cara', 'Cara', 'cara', 'member', " + now + ", " + now + ")");
            sql.execute("INSERT INTO sessions (id_hash, user_id, created_ms, last_seen_ms, user_agent, address, changed_ms)"
                    + " VALUES ('" + hash(sessionId) + "', 'u-cara', " + now + ", " + now + ", 'test', '127.0.0.1', " + now + ")");
        }
        ChildServer caras = cluster.node(1);
        ChildServer other = cluster.node(0);
        String cookie = "chatroom_session=" + sessionId;
        Await.until(() -> get(caras, "/", cookie).contains("Signed in with a passkey"), "node 1 knows the session");
        Page cara = new Page("across", cookie).connect(caras).joined();
        assertThat(cara.here()).hasSize(1);

        HttpResponse<String> signedOut = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(other.url("/account/sign-out")))
                .header("Origin", "http://127.0.0.1:" + other.port).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedOut.statusCode()).isEqualTo(303);

        assertThat(cara.awaitClose()).as("closed on node 1 as signed out").isEqualTo(4001);
        Await.until(() -> !get(caras, "/", cookie).contains("Signed in with a passkey"), "node 1 refuses the cookie");
        assertThat(get(other, "/", cookie)).contains("Keep this name");
    }

    private static String get(ChildServer node, String path, String cookie) {
        try {
            return node.get(path, "Cookie", cookie).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hash(String sessionId) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.US_ASCII)));
    }
}
