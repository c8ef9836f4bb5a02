package io.lipsyncguard.job.cli;

import java.util.Arrays;
import java.util.List;

/**
 * Pure arithmetic of the streaming latency benchmark: which chunk a verdict waited for, nearest-rank percentiles, and
 * whether a run kept up with real time.
 */
public final class StreamLatency {

    private StreamLatency() {}

    /**
     * The newest chunk a verdict covering media up to {@code mediaMs} needed: the one holding
     * {@code mediaMs + marginMs} (a window also reads ±margin of audio beyond its end), capped at the last chunk.
     * Chunk {@code k} holds media {@code [k·chunkMs, (k+1)·chunkMs)}.
     */
    public static int neededChunk(long mediaMs, long marginMs, long chunkMs, int lastIndex) {
        if (chunkMs <= 0) {
            throw new IllegalArgumentException("chunkMs must be > 0 but is " + chunkMs);
        }
        long needed = Math.max(0, mediaMs + marginMs - 1) / chunkMs;
        return (int) Math.min(lastIndex, needed);
    }

    /** Nearest-rank percentile ({@code p} in 0..100) of the values; NaN when there are none. */
    public static double percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * A run kept up when every stream got its FINAL verdict and the median latency of the last third of the media
     * timeline exceeds that of the first third by less than one chunk: a job falling behind real time shows a lag that
     * grows with media time, a job that keeps up a flat one.
     */
    public static boolean sustained(double firstThirdP50, double lastThirdP50, long chunkMs, boolean allFinals) {
        return allFinals && !Double.isNaN(firstThirdP50) && !Double.isNaN(lastThirdP50)
                && lastThirdP50 - firstThirdP50 < chunkMs;
    }
}
