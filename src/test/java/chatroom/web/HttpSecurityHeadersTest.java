package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The headers that keep pages from being framed, sniffed or scripted from elsewhere: on every page, errors too. */
class HttpSecurityHeadersTest {

    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource({
        "GET, /, 200",
        "GET, /r/general, 200",
        "GET, /r/General, 303",
        "GET, /static/app.js, 200",
        "GET, /no/such/page, 404",
        "GET, /r/bad!name, 400",
        "GET, /r/general/messages?before=abc, 400",
        "POST, /, 405",
        "GET, /r/general/ws, 426",
        "GET, /status, 200",
    })
    void every_response_carries_the_security_headers(String method, String path, int status) throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = method.equals("GET") ? server.get(path) : server.postForm(path, "");
            // then
            assertThat(response.statusCode()).isEqualTo(status);
            assertSecurityHeaders(response.headers());
        }
    }

    @ParameterizedTest(name = "forbidden form post to {0}")
    @CsvSource({"/private", "/name"})
    void forbidden_form_page_carries_the_security_headers(String path) throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.postForm(path, "name=x", "Origin", "http://evil.example");
            // then
            assertThat(response.statusCode()).isEqualTo(403);
            assertSecurityHeaders(response.headers());
        }
    }

    static void assertSecurityHeaders(HttpHeaders headers) {
        String csp = headers.firstValue("Content-Security-Policy").orElseThrow(() ->
                new AssertionError("no Content-Security-Policy in " + headers.map()));
        String scriptSrc = directive(csp, "script-src");
        assertThat(scriptSrc).as("script-src of %s", csp).isNotNull().doesNotContain("'unsafe-inline'")
                .doesNotContain("'unsafe-eval'");
        assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(headers.firstValue("Referrer-Policy")).isPresent();
        boolean framingDenied = headers.firstValue("X-Frame-Options").isPresent()
                || "'none'".equals(directive(csp, "frame-ancestors"));
        assertThat(framingDenied).as("X-Frame-Options or frame-ancestors 'none' in %s", headers.map()).isTrue();
    }

    private static String directive(String csp, String name) {
        for (String part : csp.split(";")) {
            String trimmed = part.strip();
            if (trimmed.startsWith(name + " ")) {
                return trimmed.substring(name.length() + 1).strip();
            }
        }
        return null;
    }
}
