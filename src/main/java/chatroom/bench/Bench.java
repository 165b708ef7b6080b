package chatroom.bench;

import java.util.Arrays;

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

    static final String USAGE = "usage: bench <fanout|idle|join|store> [flags]   (bench <scenario> --help for its flags)\n\n"
            + FanoutScenario.USAGE + "\n" + IdleScenario.USAGE + "\n" + JoinScenario.USAGE + "\n" + StoreScenario.USAGE;

    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")
                || Arrays.asList(args).contains("--help")) {
            System.out.println(USAGE);
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
        System.out.println(report.toJsonLine());
        System.out.flush();
        System.err.print(report.summary());
        System.exit(0); // the event loops are shut down; don't wait on stray daemon work
    }

    /** Runs one scenario and returns its report without printing (tests call this). */
    static Report run(String... args) throws Exception {
        String scenario = args[0];
        BenchOptions options = BenchOptions.parse(Arrays.copyOfRange(args, 1, args.length));
        return switch (scenario) {
            case "fanout" -> new FanoutScenario(options).run();
            case "idle" -> new IdleScenario(options).run();
            case "join" -> new JoinScenario(options).run();
            case "store" -> new StoreScenario(options).run();
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
        };
    }
}
