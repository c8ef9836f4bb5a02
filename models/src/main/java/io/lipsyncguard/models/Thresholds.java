package io.lipsyncguard.models;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Decision thresholds shipped with a model: the probability cut, the uncertain band, the evidence minimums, and the
 * optional rules for disagreement, localized segments, crop quality and risk (defaults documented on each accessor).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"decision", "uncertainBand", "minEvidenceWindows", "minFaceFraction", "minSpeechFraction",
    "maxWindowStd", "segmentThreshold", "segmentMinSeconds", "minCropContrast", "highRiskConfidence", "maxOffsetMs",
    "maxAudioLeadMs", "offsetSmoothingFrames", "minRollingWindows"})
public record Thresholds(
        @JsonProperty(value = "decision", required = true) double decision,
        @JsonProperty(value = "uncertainBand", required = true) double uncertainBand,
        @JsonProperty(value = "minEvidenceWindows", required = true) int minEvidenceWindows,
        @JsonProperty(value = "minFaceFraction", required = true) double minFaceFraction,
        @JsonProperty(value = "minSpeechFraction", required = true) double minSpeechFraction,
        @JsonProperty("maxWindowStd") Double maxWindowStd,
        @JsonProperty("segmentThreshold") Double segmentThreshold,
        @JsonProperty("segmentMinSeconds") Double segmentMinSeconds,
        @JsonProperty("minCropContrast") Double minCropContrast,
        @JsonProperty("highRiskConfidence") Double highRiskConfidence,
        @JsonProperty("maxOffsetMs") Double maxOffsetMs,
        @JsonProperty("maxAudioLeadMs") Double maxAudioLeadMs,
        @JsonProperty("offsetSmoothingFrames") Integer offsetSmoothingFrames,
        @JsonProperty("minRollingWindows") Integer minRollingWindows) {

    /** Standard deviation of window scores above which windows disagree too much to decide; default 0.35. */
    @JsonIgnore
    public double windowStdLimit() {
        return maxWindowStd != null ? maxWindowStd : 0.35;
    }

    /** Window score at or above which a window is suspicious for segments; default decision + band. */
    @JsonIgnore
    public double suspiciousScore() {
        return segmentThreshold != null ? segmentThreshold : decision + uncertainBand;
    }

    /** Length a contiguous suspicious segment needs to make a video FAKE on its own; default 4 s. */
    @JsonIgnore
    public double localizedSegmentSeconds() {
        return segmentMinSeconds != null ? segmentMinSeconds : 4.0;
    }

    /** Mean grey-level standard deviation below which mouth crops are too flat or blurred to score; default 4. */
    @JsonIgnore
    public double cropContrastFloor() {
        return minCropContrast != null ? minCropContrast : 4.0;
    }

    /**
     * Audio-video offset from which a video is desynchronised whatever its score, for models that estimate an offset:
     * audio later than the picture, and earlier too unless {@code maxAudioLeadMs} says otherwise; default 200 ms.
     */
    @JsonIgnore
    public double offsetLimitMs() {
        return maxOffsetMs != null ? maxOffsetMs : 200.0;
    }

    /**
     * How far the audio may run ahead of the picture before a video is desynchronised whatever its score; default
     * {@link #offsetLimitMs()} (the same either way). Viewers notice sound before the lips sooner than sound after them.
     */
    @JsonIgnore
    public double audioLeadLimitMs() {
        return maxAudioLeadMs != null ? maxAudioLeadMs : offsetLimitMs();
    }

    /**
     * Half-width h of the triangular kernel (weights h+1−|d|) the video's average lag curve is smoothed with before its
     * peak is read as the offset; default 0 (the plain maximum).
     */
    @JsonIgnore
    public int offsetSmoothing() {
        return offsetSmoothingFrames != null ? offsetSmoothingFrames : 0;
    }

    /**
     * Scored windows a ROLLING verdict needs before it decides (a FINAL verdict decides from {@code minEvidenceWindows}:
     * a stream that goes on can wait for evidence, a video that ended cannot); default {@code minEvidenceWindows}.
     */
    @JsonIgnore
    public int rollingEvidence() {
        return minRollingWindows != null ? minRollingWindows : minEvidenceWindows;
    }

    /** Confidence from which a FAKE verdict is HIGH risk; default 0.8. */
    @JsonIgnore
    public double highRiskFrom() {
        return highRiskConfidence != null ? highRiskConfidence : 0.8;
    }
}
