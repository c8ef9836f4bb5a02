package io.lipsyncguard.job.verdict;

/** When a verdict was emitted. */
public enum VerdictKind {
    /** While the video plays, on the evidence so far. */
    ROLLING,
    /** Once per video, after its last window. */
    FINAL,
    /** Once per video that could not be analysed at all; {@code error} says why. */
    ERROR
}
