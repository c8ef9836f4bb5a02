package io.lipsyncguard.job.verdict;

/** The decision about a video. */
public enum Label {
    REAL,
    FAKE,
    /** Not enough evidence, or evidence too close to the threshold, to call it either way. */
    UNCERTAIN
}
