package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.WireSchemas;
import org.junit.jupiter.api.Test;

/** The scores topic's records (and analyze --windows lines) carry the model's fields only for scored windows. */
class ScoredWindowSerializerTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aScoredWindowCarriesScoreOffsetAndConfidenceAndMatchesTheSchema() throws Exception {
        String json = ScoredWindowSerializer.toJson(ScoredWindow.scored(ScoredWindowTest.window(4),
                new WindowResult(0.25, -2, 0.125, new float[] {0.1f, 0.2f})));
        assertThat(WireSchemas.windowScoreProblems(json)).isEmpty();
        JsonNode n = JSON.readTree(json);
        assertThat(n.get("status").asText()).isEqualTo("SCORED");
        assertThat(n.get("index").asLong()).isEqualTo(4);
        assertThat(n.get("startMs").asLong()).isEqualTo(1600);
        assertThat(n.get("score").asDouble()).isEqualTo(0.25);
        assertThat(n.get("offsetFrames").asDouble()).isEqualTo(-2);
        assertThat(n.get("syncConfidence").asDouble()).isEqualTo(0.125);
        assertThat(n.has("curve")).as("the curve stays in the job").isFalse();
    }

    @Test
    void aModelWithoutConfidenceLeavesItOutInsteadOfWritingNaN() {
        String json = ScoredWindowSerializer.toJson(ScoredWindow.scored(ScoredWindowTest.window(0),
                new WindowResult(0.5, 0, Double.NaN, new float[0])));
        assertThat(json).doesNotContain("NaN").doesNotContain("syncConfidence");
        assertThat(WireSchemas.windowScoreProblems(json)).isEmpty();
    }

    @Test
    void everyUnscoredStatusHasNoModelFieldsAndMatchesTheSchema() throws Exception {
        for (ScoreStatus status : ScoreStatus.values()) {
            if (status == ScoreStatus.SCORED || status == ScoreStatus.CONTROL) {
                continue;
            }
            String reason = status == ScoreStatus.TIMEOUT || status == ScoreStatus.FAILED ? "model: " + status : null;
            String json = ScoredWindowSerializer.toJson(ScoredWindow.unscored(ScoredWindowTest.window(1), status,
                    reason));
            assertThat(WireSchemas.windowScoreProblems(json)).as(json).isEmpty();
            JsonNode n = JSON.readTree(json);
            assertThat(n.has("score") || n.has("offsetFrames") || n.has("syncConfidence")).as(json).isFalse();
            assertThat(n.path("reason").asText(null)).isEqualTo(reason);
        }
    }
}
