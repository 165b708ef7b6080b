package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.web.HttpProtocolTest.RawHttp;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a load balancer asks: is the process up, and should it get new connections. The checks are the
 * ones the docs show and orchestrators send, byte for byte over a raw socket, against a server whose
 * {@code --public-url} names another host: a balancer addresses a node by its own IP, or by no Host.
 */
class HealthTest {

    private static final String PUBLIC_URL = "https://chat.example.org";

    @Test
    void a_running_node_is_live_and_ready_with_its_database_and_feed_up() throws Exception {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> live = server.get("/livez");
            HttpResponse<String> ready = server.get("/readyz");

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo(
                    "{\"ready\":true,\"database\":\"up\",\"feed\":\"connected\",\"draining\":false}");
        }
    }

    @Test
    void the_haproxy_check_that_cluster_md_shows_passes_behind_a_public_url() throws Exception {
        HaproxyCheck check = HaproxyCheck.fromClusterDoc();
        try (TestServer server = TestServer.start("--public-url", PUBLIC_URL);
                RawHttp raw = RawHttp.connect(server)) {
            // when HAProxy sends what "option httpchk" sends: the request line alone, no Host
            raw.send(check.request());
            // then
            RawHttp.Reply reply = raw.read();
            assertThat(reply.status()).as(check.request().strip()).isEqualTo(check.expectedStatus());
            assertThat(reply.text()).contains("\"ready\":true");
        }
    }

    @Test
    void a_kubernetes_probe_for_the_pods_own_address_gets_200_behind_a_public_url() throws Exception {
        try (TestServer server = TestServer.start("--public-url", PUBLIC_URL)) {
            for (String path : List.of("/livez", "/readyz")) {
                try (RawHttp raw = RawHttp.connect(server)) {
                    raw.send("GET " + path + " HTTP/1.1\r\nHost: 10.244.1.17:" + server.port()
                            + "\r\nUser-Agent: kube-probe/1.31\r\nAccept: */*\r\nConnection: close\r\n\r\n");
                    assertThat(raw.read().status()).as(path).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void http_1_0_health_checks_without_a_host_get_200_behind_a_public_url() throws Exception {
        try (TestServer server = TestServer.start("--public-url", PUBLIC_URL)) {
            for (String request : List.of("GET /livez HTTP/1.0\r\n\r\n", "GET /readyz HTTP/1.0\r\n\r\n",
                    "HEAD /readyz HTTP/1.0\r\n\r\n")) {
                try (RawHttp raw = RawHttp.connect(server)) {
                    raw.send(request);
                    assertThat(raw.readHead().status()).as(request.strip()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void behind_a_public_url_every_other_path_for_another_host_or_none_is_still_421() throws Exception {
        try (TestServer server = TestServer.start("--public-url", PUBLIC_URL)) {
            for (String request : List.of(
                    "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost: 10.244.1.17:" + server.port() + "\r\n\r\n",
                    "GET / HTTP/1.0\r\n\r\n",
                    "GET /status HTTP/1.1\r\nHost: 10.244.1.17:" + server.port() + "\r\n\r\n",
                    "GET /r/lobby HTTP/1.1\r\nHost: evil.example\r\n\r\n")) {
                try (RawHttp raw = RawHttp.connect(server)) {
                    raw.send(request);
                    assertThat(raw.read().status()).as(request.strip()).isEqualTo(421);
                }
            }
            // and the probes themselves still answer for the public host
            try (RawHttp raw = RawHttp.connect(server)) {
                raw.send("GET /readyz HTTP/1.1\r\nHost: chat.example.org\r\n\r\n");
                assertThat(raw.read().status()).isEqualTo(200);
            }
        }
    }

    /**
     * The health check of docs/CLUSTER.md's {@code haproxy} block: {@code option httpchk METHOD URI
     * [VERSION]} (HTTP/1.0 and no header unless the line says otherwise) and {@code http-check expect
     * status N}.
     */
    private record HaproxyCheck(String method, String uri, String version, int expectedStatus) {

        private static final Pattern BLOCK = Pattern.compile("```haproxy\n(.*?)```", Pattern.DOTALL);

        static HaproxyCheck fromClusterDoc() throws Exception {
            Matcher block = BLOCK.matcher(Files.readString(Path.of("docs/CLUSTER.md")));
            assertThat(block.find()).as("docs/CLUSTER.md has a ```haproxy block").isTrue();
            String[] httpchk = null;
            Integer status = null;
            for (String line : block.group(1).split("\n")) {
                String[] words = line.trim().split("\\s+");
                if (line.trim().startsWith("option httpchk")) {
                    httpchk = words;
                } else if (line.trim().startsWith("http-check expect status")) {
                    status = Integer.valueOf(words[3]);
                } else if (line.trim().startsWith("http-check send")) {
                    throw new AssertionError("docs/CLUSTER.md's check sets headers (" + line.trim()
                            + "); teach this test to send them");
                }
            }
            assertThat(httpchk).as("an 'option httpchk METHOD URI' line").isNotNull().hasSizeBetween(4, 5);
            assertThat(status).as("an 'http-check expect status' line").isNotNull();
            return new HaproxyCheck(httpchk[2], httpchk[3], httpchk.length == 5 ? httpchk[4] : "HTTP/1.0", status);
        }

        String request() {
            return method + " " + uri + " " + version + "\r\n\r\n";
        }
    }
}
