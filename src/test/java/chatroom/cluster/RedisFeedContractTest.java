package chatroom.cluster;

import chatroom.room.MessageFeed;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** The single-node contract for the Redis feed, against the machine's Redis on a random prefix. */
class RedisFeedContractTest extends MessageFeedContract {

    @Override
    MessageFeed newFeed() {
        String prefix = "chatroom-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        return RedisFeed.connect(RedisFeedTest.REDIS, RedisFeed.Settings.of(prefix, "node-a", Duration.ofHours(1)));
    }
}
