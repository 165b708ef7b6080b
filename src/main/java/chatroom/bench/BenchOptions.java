package chatroom.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command-line flags of one run: {@code --name value} or {@code --name=value}. Each scenario
 * reads the flags it knows, with its defaults, then calls {@link #rejectUnknown} so that a mistyped
 * flag fails the run instead of silently measuring something else.
 *
 * <p>Values: durations as {@code 500ms}, {@code 5s}, {@code 2m} (a bare number is seconds); rates as
 * {@code 200/s} or {@code 200}; pid lists as {@code 123} or {@code 123,456}. Single-threaded.
 */
final class BenchOptions {

    private final Map<String, String> given = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    private BenchOptions() {}

    static BenchOptions parse(String... args) {
        BenchOptions options = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'; flags look like --name value");
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                options.given.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.given.put(arg.substring(2), args[++i]);
            } else {
                options.given.put(arg.substring(2), "true");
            }
        }
        return options;
    }

    boolean has(String name) {
        read.add(name);
        return given.containsKey(name);
    }

    String string(String name, String defaultValue) {
        read.add(name);
        return given.getOrDefault(name, defaultValue);
    }

    String required(String name) {
        String value = string(name, null);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    int integer(String name, int defaultValue) {
        String value = string(name, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " is '" + value + "'; expected a whole number");
        }
    }

    /** true or false; the flag alone means true. */
    boolean bool(String name, boolean defaultValue) {
        String value = string(name, null);
        if (value == null) return defaultValue;
        if (value.equals("true") || value.equals("false")) return Boolean.parseBoolean(value);
        throw new IllegalArgumentException("--" + name + " is '" + value + "'; expected true or false");
    }

    /** A rate per second: "200/s" or "200". */
    double rate(String name, double defaultValue) {
        String value = string(name, null);
        if (value == null) {
            return defaultValue;
        }
        String number = value.endsWith("/s") ? value.substring(0, value.length() - 2) : value;
        try {
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " is '" + value + "'; expected a rate like 500/s");
        }
    }

    Duration duration(String name, Duration defaultValue) {
        String value = string(name, null);
        return value == null ? defaultValue : parseDuration(name, value);
    }

    /** Process ids of the server (--pid 123 or --pid 123,456); empty when not given. */
    List<Long> pids(String name) {
        String value = string(name, null);
        List<Long> pids = new ArrayList<>();
        if (value != null) {
            for (String pid : value.split(",")) {
                pids.add(Long.parseLong(pid.trim()));
            }
        }
        return pids;
    }

    void rejectUnknown() {
        List<String> unknown = given.keySet().stream().filter(name -> !read.contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown flag(s) " + unknown + " for this scenario; see --help");
        }
    }

    static Duration parseDuration(String name, String value) {
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)) * 60);
            }
            String seconds = value.endsWith("s") ? value.substring(0, value.length() - 1) : value;
            return Duration.ofNanos((long) (Double.parseDouble(seconds) * 1e9));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " is '" + value + "'; expected a duration like 500ms, 5s or 2m");
        }
    }
}
