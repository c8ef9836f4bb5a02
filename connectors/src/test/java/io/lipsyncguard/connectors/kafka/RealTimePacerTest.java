package io.lipsyncguard.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.MediaChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pacing on a fake clock: how long the pacer sleeps before each chunk. */
class RealTimePacerTest {

    private long nowNanos = 1_000_000_000L;
    private final List<Duration> sleeps = new ArrayList<>();
    private final RealTimePacer pacer = new RealTimePacer(() -> nowNanos, duration -> {
        sleeps.add(duration);
        nowNanos += duration.toNanos();
    });

    private static MediaChunk chunk(String video, long seq, long startUs, boolean last) {
        return new MediaChunk(video, seq, last, "video/mp2t", startUs, new byte[0], null, 0L);
    }

    @Test
    void sleepsUntilEachChunkIsDueRelativeToTheFirst() throws InterruptedException {
        pacer.awaitTurn(chunk("a", 0, 5_000_000L, false));
        nowNanos += 300_000_000L; // sending took 0.3 s
        pacer.awaitTurn(chunk("a", 1, 7_000_000L, false));
        pacer.awaitTurn(chunk("a", 2, 9_000_000L, true));

        assertThat(sleeps).containsExactly(Duration.ofMillis(1700), Duration.ofSeconds(2));
    }

    @Test
    void lateChunksAndChunksWithoutMediaTimeAreNotHeldBack() throws InterruptedException {
        pacer.awaitTurn(chunk("a", 0, 0L, false));
        nowNanos += 5_000_000_000L;
        pacer.awaitTurn(chunk("a", 1, 2_000_000L, false));
        pacer.awaitTurn(chunk("a", 2, MediaChunk.UNKNOWN_START, false));

        assertThat(sleeps).isEmpty();
    }

    @Test
    void eachVideoHasItsOwnTimeLine() throws InterruptedException {
        pacer.awaitTurn(chunk("a", 0, 0L, false));
        nowNanos += 1_000_000_000L;
        pacer.awaitTurn(chunk("b", 0, 60_000_000L, false)); // b's first chunk: its anchor, no wait
        pacer.awaitTurn(chunk("a", 1, 2_000_000L, false)); // due 2 s after a's start: 1 s left
        pacer.awaitTurn(chunk("b", 1, 61_500_000L, true)); // due 1.5 s after b's start: 0.5 s left

        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofMillis(500));
    }

    @Test
    void aVideoIdReusedAfterItsLastChunkStartsANewTimeLine() throws InterruptedException {
        pacer.awaitTurn(chunk("a", 0, 0L, false));
        pacer.awaitTurn(chunk("a", 1, 1_000_000L, true));
        pacer.awaitTurn(chunk("a", 0, 0L, false));

        assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
    }
}
