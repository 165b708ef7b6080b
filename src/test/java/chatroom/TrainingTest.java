package chatroom;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/**
 * The start-up cache's training run: if it stopped carrying messages (a route renamed, the load generator
 * changed), every cache would quietly train on a bare start. It checks that itself and throws.
 */
class TrainingTest {

    @Test
    void the_training_run_serves_pages_and_carries_messages_to_a_room_and_stops() {
        assertThatCode(() -> Training.run(Main::start)).doesNotThrowAnyException();
    }
}
