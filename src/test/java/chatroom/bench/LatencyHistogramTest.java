package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentiles_are_within_three_percent_of_the_exact_values() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 100_000; micros++) {
            histogram.record(micros * 1_000);
        }

        assertThat(histogram.count()).isEqualTo(100_000);
        assertThat((double) histogram.valueAtPercentileNanos(50)).isCloseTo(50_000_000, within(50_000_000 * 0.032));
        assertThat((double) histogram.valueAtPercentileNanos(99)).isCloseTo(99_000_000, within(99_000_000 * 0.032));
        assertThat((double) histogram.valueAtPercentileNanos(99.9)).isCloseTo(99_900_000, within(99_900_000 * 0.032));
        assertThat(histogram.valueAtPercentileNanos(100)).isEqualTo(histogram.maxNanos()).isEqualTo(100_000_000);
    }

    @Test
    void small_values_are_exact_and_buckets_cover_every_value_without_gaps() {
        for (long value = 0; value < 1 << 20; value++) {
            int index = LatencyHistogram.indexOf(value);
            assertThat(LatencyHistogram.upperEdgeOf(index)).isGreaterThanOrEqualTo(value);
            if (index > 0) {
                assertThat(LatencyHistogram.upperEdgeOf(index - 1)).isLessThan(value);
            }
        }
        assertThat(LatencyHistogram.indexOf(Long.MAX_VALUE)).isLessThan(64 * 32);
    }

    @Test
    void merged_histograms_count_both() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.record(1_000);
        b.record(9_000_000);

        a.add(b);

        assertThat(a.count()).isEqualTo(2);
        assertThat(a.maxNanos()).isEqualTo(9_000_000);
        assertThat(a.valueAtPercentileNanos(50)).isBetween(1_000L, 1_032L); // within a bucket of 1000
    }
}
