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
    "maxWindowStd", "segmentThreshold", "segmentMinSeconds", "minCropContrast", "highRiskConfidence", "maxOffsetMs"})
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
        @JsonProperty("maxOffsetMs") Double maxOffsetMs) {

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
     * Audio-video offset (either sign) from which a video is desynchronised whatever its score, for models that
     * estimate an offset; default 200 ms.
     */
    @JsonIgnore
    public double offsetLimitMs() {
        return maxOffsetMs != null ? maxOffsetMs : 200.0;
    }

    /** Confidence from which a FAKE verdict is HIGH risk; default 0.8. */
    @JsonIgnore
    public double highRiskFrom() {
        return highRiskConfidence != null ? highRiskConfidence : 0.8;
    }
}
