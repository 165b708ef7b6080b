package chatroom.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The static files the pages use (styles, scripts, htmx), read from the jar once at start-up and served
 * from memory. Only the files listed here exist: a request names a key of a map, never a path, so no
 * request can reach another file. Pages link each file with its content hash in the URL ({@link #url}),
 * so those responses are cached for a year; a request without the current hash gets an ETag instead.
 */
public final class Assets {

    private static final String HTMX_WEBJAR = "META-INF/resources/webjars/htmx.org/";
    private static final String HTMX_POM = "META-INF/maven/org.webjars.npm/htmx.org/pom.properties";
    private static final String OWN = "chatroom/static/";

    private record Asset(byte[] body, String contentType, String hash) {}

    private final Map<String, Asset> files = new LinkedHashMap<>();

    public Assets() {
        add("app.css", OWN + "app.css", "text/css; charset=utf-8");
        add("app.js", OWN + "app.js", "text/javascript; charset=utf-8");
        add("favicon.svg", OWN + "favicon.svg", "image/svg+xml");
        add("htmx-ext-ws.js", OWN + "vendor/htmx-ext-ws.js", "text/javascript; charset=utf-8");
        add("htmx.min.js", HTMX_WEBJAR + htmxVersion() + "/dist/htmx.min.js", "text/javascript; charset=utf-8");
    }

    /** The URL of a file with its content hash, e.g. {@code /static/app.js?v=3f2a9c1b7d}. */
    public String url(String name) {
        Asset asset = files.get(name);
        if (asset == null) {
            throw new IllegalArgumentException("no static file " + name);
        }
        return "/static/" + name + "?v=" + asset.hash;
    }

    CompletableFuture<Response> serve(Request request) {
        Asset asset = files.get(request.param("file"));
        if (asset == null) {
            throw HttpException.notFound("no such file: " + request.path);
        }
        String etag = "\"" + asset.hash + "\"";
        if (matches(request.header(HttpHeaderNames.IF_NONE_MATCH), etag)) {
            return new Response(HttpResponseStatus.NOT_MODIFIED, null, new byte[0])
                    .header(HttpHeaderNames.ETAG, etag)
                    .now();
        }
        boolean versioned = asset.hash.equals(request.query("v"));
        return new Response(HttpResponseStatus.OK, asset.contentType, asset.body)
                .header(HttpHeaderNames.ETAG, etag)
                .header(HttpHeaderNames.CACHE_CONTROL, versioned ? "public, max-age=31536000, immutable" : "no-cache")
                // the compressor sends gzip to some clients only; a shared cache must keep the two apart
                .header(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING)
                .now();
    }

    /**
     * If-None-Match is a list, compared weakly (RFC 9110 13.1.2): {@code *}, or any tag equal to ours
     * with or without {@code W/}. Proxies that compress weaken ETags, and a browser sends back what it got.
     */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private void add(String name, String resource, String contentType) {
        byte[] body = read(resource);
        files.put(name, new Asset(body, contentType, hash(body)));
    }

    private static String htmxVersion() {
        Properties pom = new Properties();
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(HTMX_POM)) {
            if (in == null) {
                throw new IllegalStateException(HTMX_POM + " is missing: the htmx WebJar is not on the class path");
            }
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pom.getProperty("version");
    }

    private static byte[] read(String resource) {
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
