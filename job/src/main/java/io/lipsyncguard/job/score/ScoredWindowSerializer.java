package io.lipsyncguard.job.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Per-window scores as one-line JSON for the optional scores topic (no crops or features, only the outcome). */
public class ScoredWindowSerializer implements SerializationSchema<ScoredWindow> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static String toJson(ScoredWindow w) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("videoId", w.videoId());
        n.put("kind", w.kind().name());
        n.put("index", w.index());
        n.put("startMs", w.startMs());
        n.put("endMs", w.endMs());
        n.put("status", w.status().name());
        if (w.isScored()) {
            n.put("score", w.score());
            n.put("offsetFrames", w.offsetFrames());
            if (!Double.isNaN(w.syncConfidence())) {
                n.put("syncConfidence", w.syncConfidence());
            }
        }
        n.put("faceFraction", w.faceFraction());
        n.put("speechFraction", w.speechFraction());
        if (w.reason() != null) {
            n.put("reason", w.reason());
        }
        return n.toString();
    }

    @Override
    public byte[] serialize(ScoredWindow w) {
        return toJson(w).getBytes(StandardCharsets.UTF_8);
    }
}
