package chatroom.web;

import static chatroom.web.PagesLobbyTest.cookieOf;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Pages over 1 KB go gzip-encoded to clients that accept it, and plain to those that do not. */
class HttpCompressionTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void page_is_gzip_encoded_when_the_client_accepts_gzip_and_decodes_to_the_plain_page() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given one visitor, so both answers are the same page
            String cookie = cookieOf(server.get("/"));
            HttpResponse<byte[]> plain = get(server, "/r/general", "Cookie", cookie);
            // when
            HttpResponse<byte[]> gzipped = get(server, "/r/general", "Cookie", cookie, "Accept-Encoding", "gzip");
            // then
            assertThat(plain.body().length).isGreaterThan(1024);
            assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(gzipped.body().length).isLessThan(plain.body().length);
            assertThat(new String(gunzip(gzipped.body()), StandardCharsets.UTF_8))
                    .isEqualTo(new String(plain.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void page_is_plain_when_the_client_does_not_accept_gzip() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<byte[]> response = get(server, "/");
            // then
            assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).startsWith("<!doctype html>");
        }
    }

    @Test
    void static_script_is_gzip_encoded_when_the_client_accepts_gzip() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<byte[]> plain = get(server, "/static/htmx.min.js");
            HttpResponse<byte[]> gzipped = get(server, "/static/htmx.min.js", "Accept-Encoding", "gzip");
            // then
            assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(gunzip(gzipped.body())).isEqualTo(plain.body());
        }
    }

    @Test
    void small_response_is_not_compressed() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<byte[]> response = get(server, "/status", "Accept-Encoding", "gzip");
            // then
            assertThat(response.body().length).isLessThan(1024);
            assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        }
    }

    private HttpResponse<byte[]> get(TestServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(path)));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] body) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }
}
