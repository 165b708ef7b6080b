/**
 * The load generator ({@link chatroom.bench.Bench}: the fanout, idle, join, store and cluster-idle scenarios):
 * a client of Chatroom's WebSocket protocol, not part of the server, and yet shipped inside the server's jar
 * on purpose. Its figures and commands are in docs/BENCHMARKS.md.
 *
 * <p>What depends on it being there: {@code Training}, the start-up cache's training run that {@code
 * ./chatroom run} starts as {@code java -jar chatroom.jar train}, sends its messages with {@code
 * Bench.run("fanout", …)} in the same JVM as the server it trains, so that the cache holds the path every
 * message takes. {@code java -jar chatroom.jar bench …} ({@code Main} hands over the arguments), {@code
 * ./chatroom bench} and the {@code bench/} scripts ({@code -cp target/chatroom.jar chatroom.bench.Bench};
 * {@code before-after.sh} measures two jars with the newer one's load generator) find it in the jar. {@link
 * chatroom.bench.LocalCluster} starts its nodes as {@code chatroom.Main} on its own class path: the jar that
 * holds the bench is the server it starts. And {@link chatroom.bench.StoreThroughput} measures the real store
 * ({@code JdbcMessageStore} on {@code SqliteStore}), not a copy of it.
 *
 * <p>What it costs the server: nothing at run time. Imports run one way: this package uses {@code store} and
 * {@code room}, and only {@code Main}'s dispatch and {@code Training} import it, so a server that serves
 * never loads its classes. Moving it to a module of its own means first giving the training run another
 * load, the scripts another jar, and {@code LocalCluster} the server's jar by name.
 */
package chatroom.bench;
