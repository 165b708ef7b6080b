package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * What the passkey endpoints refuse, as a script would try it: requests from another site or from none,
 * answers that cannot be read, answers to a challenge never handed out, pages reached by IP address, and
 * too many attempts from one address. (Replaying a real answer is in {@code PasskeyBrowserTest}, which
 * has an authenticator to make one.)
 */
class PasskeyRefusalsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void requests_from_another_site_or_from_no_page_at_all_are_refused() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String path : new String[] {"/account/claim/options", "/account/sign-in/options", "/account/claim",
                    "/account/sign-in"}) {
                assertThat(post(server, path, "{}", "http://evil.example").statusCode()).as(path).isEqualTo(403);
                assertThat(post(server, path, "{}", null).statusCode()).as(path + " without Origin").isEqualTo(403);
            }
            // every other form that signs in or out, ends a session, makes a link or changes the server
            for (String path : new String[] {"/account/sign-out", "/account/sessions/end", "/account/devices/link",
                    "/account/link/some-token", "/account/passkey/options", "/account/passkey", "/admin/invite/some-token",
                    "/admin/role", "/admin/guests"}) {
                assertThat(post(server, path, "", "http://evil.example").statusCode()).as(path).isEqualTo(403);
            }
        }
    }

    @Test
    void a_guest_s_given_name_cannot_be_kept_only_one_of_their_own() throws Exception {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> given = post(server, "/account/claim/options", "", origin(server));
            assertThat(given.statusCode()).isEqualTo(409);
            assertThat(given.body()).contains("Choose a name of your own first");
        }
    }

    @Test
    void a_page_reached_by_ip_address_gets_the_reason_instead_of_options() throws Exception {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> response = server.postForm("/account/sign-in/options", "", "Origin",
                    "http://127.0.0.1:" + server.port());
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("by its name over https");
        }
    }

    @Test
    void an_unreadable_answer_or_one_to_a_challenge_never_handed_out_is_refused() throws Exception {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> garbage = post(server, "/account/sign-in", "{\"id\":", origin(server));
            assertThat(garbage.statusCode()).isEqualTo(403);
            assertThat(garbage.body()).contains("could not be read");

            HttpResponse<String> options = post(server, "/account/sign-in/options", "", origin(server));
            assertThat(options.statusCode()).isEqualTo(200);
            assertThat(options.body()).contains("\"rpId\":\"localhost\"").contains("\"challenge\":\"");

            // a well-formed answer, signed by nobody, to a challenge the server never gave
            String forged = answer("http://localhost:" + server.port(), new byte[32]);
            HttpResponse<String> refused = post(server, "/account/sign-in", forged, origin(server));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("expired or was answered already");
            assertThat(refused.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("chatroom_session=") && !c.startsWith("chatroom_session=;"));

            HttpResponse<String> tooLarge = post(server, "/account/sign-in", "{\"x\":\"" + "a".repeat(20_000) + "\"}", origin(server));
            assertThat(tooLarge.statusCode()).isEqualTo(413);
        }
    }

    @Test
    void one_address_trying_passkeys_over_and_over_is_told_to_wait_and_another_is_not() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1")) {
            int status = 0;
            int tries = 0;
            while (status != 429 && tries < Web.SIGN_IN_ATTEMPTS_PER_MINUTE + 5) {
                status = post(server, "/account/sign-in/options", "", origin(server), "203.0.113.7").statusCode();
                tries++;
            }
            assertThat(status).isEqualTo(429);
            assertThat(tries).isEqualTo(Web.SIGN_IN_ATTEMPTS_PER_MINUTE + 1);
            HttpResponse<String> refused = post(server, "/account/sign-in", "{}", origin(server), "203.0.113.7");
            assertThat(refused.statusCode()).as("answers count too").isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.body()).contains("Too many sign-in attempts");
            assertThat(post(server, "/account/sign-in/options", "", origin(server), "203.0.113.8").statusCode()).isEqualTo(200);
        }
    }

    private static String origin(TestServer server) {
        return "http://localhost:" + server.port();
    }

    /** A sign-in answer in WebAuthn's JSON form, with client data for {@code origin} and {@code challenge}. */
    private static String answer(String origin, byte[] challenge) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String clientData = "{\"type\":\"webauthn.get\",\"challenge\":\"" + b64.encodeToString(challenge)
                + "\",\"origin\":\"" + origin + "\",\"crossOrigin\":false}";
        byte[] authenticatorData = new byte[37]; // rp id hash, flags, counter: all zero
        return "{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\""
                + b64.encodeToString(clientData.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "\",\"authenticatorData\":\"" + b64.encodeToString(authenticatorData)
                + "\",\"signature\":\"AAAA\"},\"clientExtensionResults\":{}}";
    }

    /** A POST to the server as http://localhost, the name passkeys need, with {@code origin} if not null. */
    private HttpResponse<String> post(TestServer server, String path, String body, String origin) throws Exception {
        return post(server, path, body, origin, null);
    }

    /** ... relayed by this machine (a trusted proxy) for {@code forwardedFor}, if not null. */
    private HttpResponse<String> post(TestServer server, String path, String body, String origin, String forwardedFor)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) request.header("Origin", origin);
        if (forwardedFor != null) request.header("X-Forwarded-For", forwardedFor);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
