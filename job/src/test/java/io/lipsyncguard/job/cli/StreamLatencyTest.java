package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The latency benchmark's bookkeeping: which chunk a verdict waited for, percentiles, keeping up. */
class StreamLatencyTest {

    @Test
    void aVerdictWaitsForTheChunkHoldingItsAudioContext() {
        // 1 s chunks, 600 ms of audio margin: media up to 2.0 s needs media up to 2.6 s, in chunk 2
        assertThat(StreamLatency.neededChunk(2000, 600, 1000, 9)).isEqualTo(2);
        // exactly at a boundary: up to 2.4 s + 0.6 s = 3.0 s ends chunk 2, chunk 3 is not needed
        assertThat(StreamLatency.neededChunk(2400, 600, 1000, 9)).isEqualTo(2);
        assertThat(StreamLatency.neededChunk(2401, 600, 1000, 9)).isEqualTo(3);
        assertThat(StreamLatency.neededChunk(9800, 600, 1000, 9)).isEqualTo(9); // capped at the last chunk
        assertThat(StreamLatency.neededChunk(0, 0, 1000, 9)).isEqualTo(0);
        assertThatThrownBy(() -> StreamLatency.neededChunk(1, 0, 0, 9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nearestRankPercentiles() {
        List<Long> v = List.of(15L, 20L, 35L, 40L, 50L);
        assertThat(StreamLatency.percentile(v, 30)).isEqualTo(20.0);
        assertThat(StreamLatency.percentile(v, 40)).isEqualTo(20.0);
        assertThat(StreamLatency.percentile(v, 50)).isEqualTo(35.0);
        assertThat(StreamLatency.percentile(v, 100)).isEqualTo(50.0);
        assertThat(StreamLatency.percentile(v, 0)).isEqualTo(15.0);
        assertThat(StreamLatency.percentile(List.of(), 50)).isNaN();
    }

    @Test
    void keepingUpMeansAFlatLagAndEveryFinal() {
        assertThat(StreamLatency.sustained(900, 1400, 1000, true)).isTrue();
        assertThat(StreamLatency.sustained(900, 1900, 1000, true)).isFalse(); // lag grew by a whole chunk
        assertThat(StreamLatency.sustained(900, 900, 1000, false)).isFalse();
        assertThat(StreamLatency.sustained(Double.NaN, 900, 1000, true)).isFalse();
    }
}
