package chatroom.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.PrintStream;
import java.util.Arrays;
import org.slf4j.LoggerFactory;

/**
 * The benchmark program: {@code Bench <scenario> [flags]}, reached as {@code java -jar chatroom.jar
 * bench ...} (Main hands over the arguments after "bench") or directly with {@code java -cp
 * chatroom.jar chatroom.bench.Bench ...}. Drives any server that speaks Chatroom's WebSocket
 * protocol (Chatroom itself and the reference servers) and prints exactly one JSON line on stdout,
 * then a short human summary on stderr.
 *
 * <p>Each run builds one scenario object and runs it on the calling thread.
 */
public final class Bench {

    static final String USAGE = "usage: bench <fanout|idle|join|store|cluster-idle> [flags]   (bench <scenario> --help for its flags)\n\n"
            + FanoutScenario.USAGE + "\n" + IdleScenario.USAGE + "\n" + JoinScenario.USAGE + "\n" + StoreScenario.USAGE
            + "\n" + ClusterIdleScenario.USAGE + "\n" + Targets.USAGE;

    private Bench() {}

    public static void main(String[] args) throws Exception {
        // stdout carries the one JSON line; library chatter (logging defaults to the console) goes to stderr
        PrintStream json = System.out;
        System.setOut(System.err);
        quietNettyLogging();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")
                || Arrays.asList(args).contains("--help")) {
            json.println(USAGE);
            return;
        }
        Report report;
        try {
            report = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        json.println(report.toJsonLine());
        json.flush();
        System.err.print(report.summary());
        System.exit(0); // the event loops are shut down; don't wait on stray daemon work
    }

    /** Without a logging config Logback logs everything at DEBUG, Netty's handshakes included. */
    private static void quietNettyLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.getLogger("io.netty").setLevel(Level.WARN);
        }
    }

    /** Runs one scenario and returns its report without printing (tests and the start-up cache's training call this). */
    public static Report run(String... args) throws Exception {
        String scenario = args[0];
        BenchOptions options = BenchOptions.parse(Arrays.copyOfRange(args, 1, args.length));
        return switch (scenario) {
            case "fanout" -> {
                try (Targets targets = Targets.from(options)) {
                    yield new FanoutScenario(options, targets).run();
                }
            }
            case "cluster-idle" -> {
                try (Targets targets = Targets.from(options)) {
                    yield new ClusterIdleScenario(options, targets).run();
                }
            }
            case "idle" -> new IdleScenario(options).run();
            case "join" -> new JoinScenario(options).run();
            case "store" -> new StoreScenario(options).run();
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
        };
    }
}
