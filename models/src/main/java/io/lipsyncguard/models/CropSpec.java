package io.lipsyncguard.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/** How the visual input is cut from the frames: crop kind, size, channels, scales and pixel normalisation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"kind", "width", "height", "channels", "scales", "normalization"})
public record CropSpec(
        @JsonProperty(value = "kind", required = true) String kind,
        @JsonProperty(value = "width", required = true) int width,
        @JsonProperty(value = "height", required = true) int height,
        @JsonProperty(value = "channels", required = true) int channels,
        @JsonProperty("scales") List<Double> scales,
        @JsonProperty(value = "normalization", required = true) String normalization) {

    public CropSpec {
        scales = scales == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(scales));
    }
}
