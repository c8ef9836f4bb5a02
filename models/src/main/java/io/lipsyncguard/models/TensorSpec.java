package io.lipsyncguard.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/** One model input (with what it {@code feeds} on) or output (with its {@code meaning}); -1 as first dim is the dynamic batch. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "shape", "dtype", "feeds", "meaning"})
public record TensorSpec(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "shape", required = true) List<Long> shape,
        @JsonProperty(value = "dtype", required = true) String dtype,
        @JsonProperty("feeds") String feeds,
        @JsonProperty("meaning") String meaning) {

    public TensorSpec {
        // not List.copyOf, which throws on a null element before validate() could name it
        shape = shape == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(shape));
    }

    /** The shape as a long array (ORT's convention, -1 = dynamic). */
    public long[] shapeArray() {
        return shape.stream().mapToLong(Long::longValue).toArray();
    }

    /** Shape rendered compactly, e.g. {@code [-1,50,32,32]}, for error messages. */
    public static String render(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }
}
