package chatroom.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scrape of a server's {@code /metrics}, as Prometheus reads it: every series ({@code
 * name{label="value",…}}) and its value. Counters are compared between two scrapes ({@link #since}),
 * so that other servers that ran in the same JVM before do not matter.
 */
public final class Scrape {

    private final Map<String, Double> series;
    public final String text;

    private Scrape(String text) {
        this.text = text;
        this.series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    /** GETs {@code http://127.0.0.1:port/metrics}; fails the test unless it answers 200 in Prometheus's text format. */
    public static Scrape of(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200
                || !response.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4")) {
            throw new AssertionError("GET /metrics answered " + response.statusCode() + " " + response.headers().map());
        }
        return new Scrape(response.body());
    }

    /** The series' value; fails if the scrape does not have it. */
    public double value(String name) {
        Double value = series.get(name);
        if (value == null) {
            throw new AssertionError("no series " + name + " in the scrape; it has:\n" + text);
        }
        return value;
    }

    /** How much the series grew since an earlier scrape. */
    public double since(Scrape earlier, String name) {
        return value(name) - earlier.value(name);
    }

    public boolean has(String name) {
        return series.containsKey(name);
    }
}
