package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.web.HttpProtocolTest.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The static files: only the listed ones, from the jar, with their types, ETags and cache lifetimes; the
 * vendored htmx WebSocket extension is exactly the file recorded in its VERSION file.
 */
class StaticFilesTest {

    private static final Path VENDOR = Path.of("src/main/resources/chatroom/static/vendor");

    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
        "app.js         | text/javascript; charset=utf-8",
        "app.css        | text/css; charset=utf-8",
        "htmx.min.js    | text/javascript; charset=utf-8",
        "htmx-ext-ws.js | text/javascript; charset=utf-8",
        "favicon.svg    | image/svg+xml",
    })
    void static_file_is_served_with_its_content_type(String file, String contentType) throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<byte[]> response = get(server, "/static/" + file);
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(contentType);
            assertThat(response.body()).isNotEmpty();
        }
    }

    @Test
    void htmx_is_version_2_0() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            String htmx = new String(get(server, "/static/htmx.min.js").body(), StandardCharsets.UTF_8);
            // then
            assertThat(htmx).containsPattern("version:\"2\\.0\\.\\d+\"");
        }
    }

    @Test
    void websocket_extension_is_byte_for_byte_the_vendored_file_whose_sha256_is_recorded() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            byte[] vendored = Files.readAllBytes(VENDOR.resolve("htmx-ext-ws.js"));
            Matcher recorded = Pattern.compile("htmx-ext-ws\\.js sha256: ([0-9a-f]{64})")
                    .matcher(Files.readString(VENDOR.resolve("htmx-ext-ws.VERSION")));
            assertThat(recorded.find()).as("sha256 line in htmx-ext-ws.VERSION").isTrue();
            // when
            byte[] served = get(server, "/static/htmx-ext-ws.js").body();
            // then
            assertThat(sha256(vendored)).isEqualTo(recorded.group(1));
            assertThat(served).isEqualTo(vendored);
        }
    }

    @Test
    void page_links_the_vendored_websocket_extension_and_not_the_old_one_from_the_htmx_webjar() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            String page = server.get("/r/general").body();
            // then
            assertThat(page).containsPattern("<script src=\"/static/htmx-ext-ws\\.js\\?v=[0-9a-f]+\"");
            assertThat(page).doesNotContain("ext/ws.js").doesNotContain("webjars");
        }
    }

    @Test
    void file_with_the_etag_it_was_sent_with_is_304_not_modified() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            HttpResponse<byte[]> first = get(server, "/static/app.js");
            String etag = first.headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag"));
            // when
            HttpResponse<byte[]> again = get(server, "/static/app.js", "If-None-Match", etag);
            // then
            assertThat(again.statusCode()).isEqualTo(304);
            assertThat(again.body()).isEmpty();
            assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"W/%s", "\"0000000000\", %s", "*"})
    void file_matching_any_etag_in_if_none_match_is_304_as_after_a_proxy_weakened_it(String condition)
            throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            String etag = get(server, "/static/app.css").headers().firstValue("ETag").orElseThrow();
            // when
            HttpResponse<byte[]> again = get(server, "/static/app.css", "If-None-Match", condition.formatted(etag));
            // then
            assertThat(again.statusCode()).isEqualTo(304);
        }
    }

    @Test
    void cacheable_file_tells_caches_that_it_varies_with_accept_encoding() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given the URL the page links, cached publicly for a year, and sent gzip-encoded to some clients only
            Matcher linked = Pattern.compile("src=\"(/static/htmx\\.min\\.js\\?v=[0-9a-f]+)\"")
                    .matcher(server.get("/").body());
            assertThat(linked.find()).isTrue();
            // when
            HttpResponse<byte[]> plain = get(server, linked.group(1));
            HttpResponse<byte[]> gzipped = get(server, linked.group(1), "Accept-Encoding", "gzip");
            // then a shared cache must not hand the gzip body to a client that did not ask for it
            assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(plain.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).containsIgnoringCase("Accept-Encoding"));
            assertThat(gzipped.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).containsIgnoringCase("Accept-Encoding"));
        }
    }

    @Test
    void file_with_another_etag_is_sent_again() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<byte[]> response = get(server, "/static/app.js", "If-None-Match", "\"0000000000\"");
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isNotEmpty();
        }
    }

    @Test
    void file_at_the_url_the_page_links_is_cached_for_a_year() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            Matcher linked = Pattern.compile("src=\"(/static/app\\.js\\?v=[0-9a-f]+)\"").matcher(server.get("/").body());
            assertThat(linked.find()).as("the lobby links app.js with its hash").isTrue();
            // when
            HttpResponse<byte[]> response = get(server, linked.group(1));
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/static/app.js", "/static/app.js?v=0000000000"})
    void file_without_its_current_hash_must_be_revalidated(String url) throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<byte[]> response = get(server, url);
            // then
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/static/../pom.xml",
        "/static/..%2f..%2fpom.xml",
        "/static/..%2fpom.xml",
        "/static/%2e%2e/pom.xml",
        "/static/%2e%2e%2f%2e%2e%2fpom.xml",
        "/static/%2e%2e/x",
        "/static/..\\..\\pom.xml",
        "/static/vendor/htmx-ext-ws.js",
        "/static/vendor%2fhtmx-ext-ws.js",
        "/static/htmx-ext-ws.VERSION",
        "/static/chatroom/static/app.js",
        "/static/",
    })
    void path_outside_the_listed_files_is_404_and_never_file_contents(String path) throws Exception {
        try (TestServer server = TestServer.start(); RawHttp raw = RawHttp.connect(server)) {
            // when
            raw.send("GET " + path + " HTTP/1.1\r\nHost: " + raw.host + "\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            // then
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.text())
                    .doesNotContain("<modelVersion>") // pom.xml
                    .doesNotContain("htmx.defineExtension") // the vendored extension
                    .doesNotContain("sha256:") // its VERSION file
                    .doesNotContain("page behaviour"); // app.js
        }
    }

    private HttpResponse<byte[]> get(TestServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(path)));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
