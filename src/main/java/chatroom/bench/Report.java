package chatroom.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one run: named figures in the order they were put, printed as exactly one JSON line
 * (for scripts) plus a short human summary. Values are numbers, strings, booleans, lists, nested
 * maps or nested reports (a scenario that runs another); NaN (a figure that could not be measured, e.g. server CPU without --pid) becomes null.
 *
 * <p>Built by one scenario on one thread; not thread-safe.
 */
final class Report {

    /** A JSON value produced elsewhere (e.g. the store's own result), written into the line as is. */
    record RawJson(String json) {}

    private static final JsonFactory JSON = new JsonFactory();

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final StringBuilder summary = new StringBuilder();

    Report(String scenario) {
        values.put("scenario", scenario);
    }

    Report put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    /** A line of the human summary. */
    Report say(String line) {
        summary.append(line).append('\n');
        return this;
    }

    Object get(String key) {
        return values.get(key);
    }

    /** A numeric figure, nested keys separated by dots ("latency_ms.p99"). */
    double number(String path) {
        Object value = values;
        for (String key : path.split("\\.")) {
            if (value instanceof Report nested) {
                value = nested.values;
            }
            if (!(value instanceof Map<?, ?> map) || !map.containsKey(key)) {
                throw new IllegalArgumentException("report has no figure " + path + ": " + toJsonLine());
            }
            value = map.get(key);
        }
        return value == null ? Double.NaN : ((Number) value).doubleValue();
    }

    String summary() {
        return summary.toString();
    }

    String toJsonLine() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(json, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Rounded for the line; NaN (not measured) stays NaN and is written as null. */
    static double round(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static void write(JsonGenerator json, Object value) throws IOException {
        switch (value) {
            case null -> json.writeNull();
            case RawJson raw -> json.writeRawValue(raw.json());
            case Report nested -> write(json, nested.values);
            case Map<?, ?> map -> {
                json.writeStartObject();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    json.writeFieldName(String.valueOf(entry.getKey()));
                    write(json, entry.getValue());
                }
                json.writeEndObject();
            }
            case List<?> list -> {
                json.writeStartArray();
                for (Object item : list) {
                    write(json, item);
                }
                json.writeEndArray();
            }
            case Double d when d.isNaN() || d.isInfinite() -> json.writeNull();
            case Double d -> json.writeNumber(d);
            case Integer i -> json.writeNumber(i);
            case Long l -> json.writeNumber(l);
            case Boolean b -> json.writeBoolean(b);
            default -> json.writeString(value.toString());
        }
    }
}
