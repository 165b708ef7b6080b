package chatroom.web;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The route table: method and path pattern to handler. A pattern is literal segments and {@code
 * {name}} segments, each matching one non-empty path segment. The raw path is split on {@code /} before
 * each segment is percent-decoded, so an encoded slash ({@code %2F}) stays inside its segment and can
 * never add one: {@code /r/a%2Fws} is the room {@code a/ws} (a 400), not the socket of room {@code a}.
 * Built once in {@link Web}; looked up for every request by {@link HttpHandler}.
 */
final class Routes {

    /** Serves a request; throws {@link HttpException} (or anything) to answer with an error. */
    @FunctionalInterface
    interface Handler {
        CompletableFuture<Response> handle(Request request) throws Exception;
    }

    /** Takes over a connection that asked for a WebSocket upgrade. */
    @FunctionalInterface
    interface Upgrade {
        void upgrade(Request request) throws Exception;
    }

    private record Route(HttpMethod method, String[] segments, Handler handler, Upgrade upgrade, boolean anyHost) {}

    /**
     * The outcome of a lookup: a route with its parameters, or the methods the path does allow (for 405).
     * {@code anyHost}: the route is a {@link #probe}, answered whatever the {@code Host}.
     */
    record Match(Handler handler, Upgrade upgrade, Map<String, String> params, List<HttpMethod> allowed, boolean anyHost) {
        boolean found() {
            return handler != null || upgrade != null;
        }
    }

    private final List<Route> routes = new ArrayList<>();

    Routes get(String pattern, Handler handler) {
        return add(HttpMethod.GET, pattern, handler, null, false);
    }

    Routes post(String pattern, Handler handler) {
        return add(HttpMethod.POST, pattern, handler, null, false);
    }

    /**
     * A GET that load balancers and orchestrators send to a node, answered whatever the {@code Host},
     * even with {@code --public-url}: they address a node by its own IP and port (a Kubernetes probe sends
     * {@code Host: 10.1.2.3:8080}) or send no Host at all (HAProxy's {@code option httpchk} speaks
     * HTTP/1.0), and a 421 would mark every node down. Only for handlers that show no visitor's data and
     * set no cookie, so answering another host gives a rebound page nothing.
     */
    Routes probe(String pattern, Handler handler) {
        return add(HttpMethod.GET, pattern, handler, null, true);
    }

    /** A WebSocket endpoint: GET with an upgrade. A plain GET to it is answered 426 Upgrade Required. */
    Routes websocket(String pattern, Upgrade upgrade) {
        return add(HttpMethod.GET, pattern, null, upgrade, false);
    }

    private Routes add(HttpMethod method, String pattern, Handler handler, Upgrade upgrade, boolean anyHost) {
        routes.add(new Route(method, split(pattern), handler, upgrade, anyHost));
        return this;
    }

    /** HEAD is served by the GET route, without the body. {@code rawPath} is still percent-encoded. */
    Match match(HttpMethod method, String rawPath) {
        HttpMethod wanted = method.equals(HttpMethod.HEAD) ? HttpMethod.GET : method;
        String[] segments = split(rawPath);
        for (int i = 0; i < segments.length; i++) {
            // '+' is a plus in a path, not a space as in a query string
            segments[i] = QueryStringDecoder.decodeComponent(segments[i].replace("+", "%2B"));
        }
        List<HttpMethod> allowed = new ArrayList<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments, segments);
            if (params == null) {
                continue;
            }
            if (route.method.equals(wanted)) {
                return new Match(route.handler, route.upgrade, params, List.of(), route.anyHost);
            }
            allowed.add(route.method);
            if (route.method.equals(HttpMethod.GET)) {
                allowed.add(HttpMethod.HEAD);
            }
        }
        return new Match(null, null, Map.of(), allowed, false);
    }

    private static Map<String, String> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
