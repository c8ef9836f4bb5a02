package io.lipsyncguard.job.verdict;

/**
 * A contiguous run of suspicious windows: media time range, mean window score and window count.
 *
 * @param startMs media time of the first window's start
 * @param endMs media time of the last window's end
 * @param meanScore mean score of its windows
 * @param windows windows in the run
 */
public record Segment(long startMs, long endMs, double meanScore, long windows) {

    public long durationMs() {
        return endMs - startMs;
    }
}
