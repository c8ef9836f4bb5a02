package io.lipsyncguard.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Decision thresholds shipped with a model: the probability cut, the uncertain band and the evidence minimums. */
@JsonPropertyOrder({"decision", "uncertainBand", "minEvidenceWindows", "minFaceFraction", "minSpeechFraction"})
public record Thresholds(
        @JsonProperty(value = "decision", required = true) double decision,
        @JsonProperty(value = "uncertainBand", required = true) double uncertainBand,
        @JsonProperty(value = "minEvidenceWindows", required = true) int minEvidenceWindows,
        @JsonProperty(value = "minFaceFraction", required = true) double minFaceFraction,
        @JsonProperty(value = "minSpeechFraction", required = true) double minSpeechFraction) {
}
