package io.lipsyncguard.job.verdict;

/**
 * Keyed state of one video's evidence: Welford statistics over scored windows, counts by evidence class, the summed
 * lag curve for the offset, and what the END event said. A POJO so Flink serializes it without Kryo.
 */
public class VideoAggregate {
    /** Windows folded in, in index order (later ones wait in early-window state). */
    public long windowsSeen;
    /**
     * Windows given up as lost (before the END after the gap's wait, or at the FINAL): with those folded in, the index
     * of the next window to fold (see {@code VerdictAggregator.nextIndex}).
     */
    public long windowsSkipped;
    /** Processing time until which later windows wait for a missing one before the END; 0 while none waits. */
    public long gapWaitUntilMs;
    /** The highest index that waited when that wait began: the gaps below it are given up when it ends. */
    public long gapWaitThroughIndex;
    /** Windows the decoder cut, known from the END event; -1 before it. */
    public long expectedWindows = -1;
    /** ERROR events of the decoder folded in. */
    public long errorsSeen;
    /** ERROR events the decoder sent before its END, known from the END event. */
    public long expectedErrors;
    /** Processing time until which the FINAL waits, after the END, for windows and errors on their way; 0 before. */
    public long endWaitUntilMs;
    /** Scored windows: also the count of the two Welford states below. */
    public long scored;
    public long noFace;
    public long silent;
    public long multiFace;
    public long lowQuality;
    public long audioDropout;
    public long frozenPicture;
    public long unscored;
    /** Welford mean and M2 of the scored windows' scores. */
    public double mean;
    public double m2;
    /** Sum of the scored windows' lag curves (index = lag + K). */
    public float[] curveSum = new float[0];
    /** Welford mean and M2 of the scored windows' offsets in frames. */
    public double offsetMean;
    public double offsetM2;
    /** Scored windows at or above the decision threshold. */
    public long aboveThreshold;
    /** Scored windows whose own offset is at or beyond the offset limit with the audio later / earlier. */
    public long offsetLate;
    public long offsetEarly;
    /** Closed suspicious segments (parallel arrays, bounded, in media order). */
    public long[] segmentStartMs = new long[0];
    public long[] segmentEndMs = new long[0];
    public double[] segmentScoreSum = new double[0];
    public long[] segmentWindows = new long[0];
    /** The open suspicious run: start −1 when none. */
    public long runStartMs = -1;
    public long runEndMs;
    public double runScoreSum;
    public long runWindows;
    /** End of the last closed segment (kept or dropped): the next segment starts no earlier. */
    public long lastSegmentEndMs;
    public boolean ended;
    /**
     * The FINAL (or ERROR) verdict is out: this aggregate is only a marker, so an event that comes after it (an error
     * the async operator's queue delivered late after a rescale) neither starts an aggregate that never ends nor a
     * second verdict.
     */
    public boolean finalSent;
    /** Processing time of that verdict, ms. */
    public long finalAtMs;
    public String endReason;
    public boolean hasAudio = true;
    public long mediaMs;
    public double faceFraction;
    public double speechFraction;
    /** Chunk errors seen, newest last (bounded). */
    public String[] errors = new String[0];
    public long windowsSinceRolling;
    /** Media time of the last ROLLING verdict. */
    public long lastRollingMediaMs;
    /** Ring of the latest scored window scores, for the ROLLING verdict's recent statistics. */
    public double[] recent = new double[0];
    public int recentNext;
    public int recentCount;

    public VideoAggregate() {}
}
