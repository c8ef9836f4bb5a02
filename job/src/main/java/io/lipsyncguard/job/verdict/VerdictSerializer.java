package io.lipsyncguard.job.verdict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Verdicts as one-line JSON: the wire format of the verdicts topic and of {@code analyze}'s output. */
public class VerdictSerializer implements SerializationSchema<Verdict> {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    // absent, not null, in nested objects too: the schema has no nullable properties
                    .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    public static String toJson(Verdict v) {
        try {
            return MAPPER.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + v, e);
        }
    }

    @Override
    public byte[] serialize(Verdict v) {
        return toJson(v).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
