package io.lipsyncguard.connectors.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * The dead-letter topic's value format: one JSON object per {@link ErrorRecord},
 * {@code {"videoId":"v1","sequence":3,"stage":"decode","reason":"...","atMs":1700000000000}}.
 */
public final class ErrorRecordSerializer implements SerializationSchema<ErrorRecord> {

    private static final long serialVersionUID = 1L;
    // Readers must tolerate fields added to the format later.
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Override
    public byte[] serialize(ErrorRecord element) {
        return toJson(element);
    }

    public static byte[] toJson(ErrorRecord record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + record, e);
        }
    }

    /** Reads one dead-letter value back, for tools and tests. */
    public static ErrorRecord fromJson(byte[] json) {
        try {
            return JSON.readValue(json, ErrorRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not an error record: " + e.getMessage(), e);
        }
    }
}
