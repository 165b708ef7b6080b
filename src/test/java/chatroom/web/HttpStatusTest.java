package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code GET /status}: the counts an operator watches, as JSON. */
class HttpStatusTest {

    @Test
    void status_is_json_with_connections_and_room_counts() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/status");
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                    .startsWith("application/json"));
            assertThat(response.body())
                    .matches("\\{\"connections\":0,\"awakeRooms\":0,\"asleepRooms\":0}");
        }
    }

    @Test
    void status_counts_a_connection_and_its_room() throws Exception {
        try (TestServer server = TestServer.start(); WsClient member = WsClient.connect(server.ws("/r/kitchen/ws"))) {
            // when
            Await.until(() -> PagesLobbyTest.connections(server) == 1, "the member to be counted");
            // then
            assertThat(server.status()).containsEntry("awakeRooms", 1).containsKey("asleepRooms");
        }
    }
}
