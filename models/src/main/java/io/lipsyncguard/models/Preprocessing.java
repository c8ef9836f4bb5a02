package io.lipsyncguard.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Window geometry (fps, sample rate, window/stride/margin in video frames) plus the crop and audio feature specs. */
@JsonPropertyOrder({"fps", "sampleRate", "windowFrames", "strideFrames", "offsetMarginFrames", "crop", "audio"})
public record Preprocessing(
        @JsonProperty(value = "fps", required = true) int fps,
        @JsonProperty(value = "sampleRate", required = true) int sampleRate,
        @JsonProperty(value = "windowFrames", required = true) int windowFrames,
        @JsonProperty(value = "strideFrames", required = true) int strideFrames,
        @JsonProperty(value = "offsetMarginFrames", required = true) int offsetMarginFrames,
        @JsonProperty(value = "crop", required = true) CropSpec crop,
        @JsonProperty(value = "audio", required = true) AudioSpec audio) {
}
