package io.lipsyncguard.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** How the audio input is turned into features: feature kind, STFT/mel parameters and the log flavour. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"kind", "nMels", "nFft", "winLength", "hopLength", "fMin", "fMax",
        "melFramesPerVideoFrame", "nMfcc", "log"})
public record AudioSpec(
        @JsonProperty(value = "kind", required = true) String kind,
        @JsonProperty(value = "nMels", required = true) int nMels,
        @JsonProperty(value = "nFft", required = true) int nFft,
        @JsonProperty(value = "winLength", required = true) int winLength,
        @JsonProperty(value = "hopLength", required = true) int hopLength,
        @JsonProperty(value = "fMin", required = true) double fMin,
        @JsonProperty(value = "fMax", required = true) double fMax,
        @JsonProperty(value = "melFramesPerVideoFrame", required = true) int melFramesPerVideoFrame,
        @JsonProperty("nMfcc") Integer nMfcc,
        @JsonProperty(value = "log", required = true) String log) {

    /** Number of MFCC coefficients, 0 when the manifest has none. */
    public int nMfccOrZero() {
        return nMfcc == null ? 0 : nMfcc;
    }
}
