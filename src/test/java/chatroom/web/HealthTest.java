package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What a load balancer asks: is the process up, and should it get new connections. */
class HealthTest {

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
}
