package io.lipsyncguard.connectors.kafka;

import io.lipsyncguard.connectors.MediaChunk;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Holds each chunk back until its media time is due, so that a recorded video is produced like a live stream:
 * a chunk starting {@code t} seconds after its video's first chunk is released {@code t} seconds after that one.
 *
 * <p>Each video has its own time line (anchored at its first chunk with a known media start), so interleaved
 * videos all play in real time. Chunks without a media start, or already late, are released at once. Not
 * thread-safe: one producer thread paces.
 */
public final class RealTimePacer {

    /** Waits for a duration; injectable so that tests need not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private record Anchor(long mediaStartUs, long wallNanos) {}

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final Map<String, Anchor> anchors = new HashMap<>();

    /**
     * @param nanoClock monotonic time in nanoseconds, like {@link System#nanoTime()}
     * @param sleeper how to wait
     */
    public RealTimePacer(LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    /** A pacer on the system's monotonic clock, sleeping the calling thread. */
    public static RealTimePacer system() {
        return new RealTimePacer(System::nanoTime,
                duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000));
    }

    /** Returns when {@code chunk} is due, having slept if it is early. */
    public void awaitTurn(MediaChunk chunk) throws InterruptedException {
        if (chunk.mediaStartUs() == MediaChunk.UNKNOWN_START) {
            return;
        }
        Anchor anchor = anchors.get(chunk.videoId());
        if (anchor == null) {
            if (!chunk.last()) {
                anchors.put(chunk.videoId(), new Anchor(chunk.mediaStartUs(), nanoClock.getAsLong()));
            }
            return;
        }
        long dueNanos = anchor.wallNanos() + Math.multiplyExact(chunk.mediaStartUs() - anchor.mediaStartUs(), 1000L);
        long waitNanos = dueNanos - nanoClock.getAsLong();
        if (waitNanos > 0) {
            sleeper.sleep(Duration.ofNanos(waitNanos));
        }
        if (chunk.last()) {
            // The video is over; a later video reusing the id starts a new time line.
            anchors.remove(chunk.videoId());
        }
    }
}
