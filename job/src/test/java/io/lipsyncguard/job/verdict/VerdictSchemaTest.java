package io.lipsyncguard.job.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.WireSchemas;
import io.lipsyncguard.job.score.ScoreStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Verdicts as the aggregator builds them serialize to messages the published JSON Schema accepts. */
class VerdictSchemaTest {

    static final ModelRef MODEL = new ModelRef("sync-baseline", "1.0.0");

    @ParameterizedTest
    @EnumSource(value = VerdictKind.class, names = {"ROLLING", "FINAL"})
    void builtVerdictsMatchTheSchema(VerdictKind kind) {
        for (int scored : new int[] {0, 1, 10}) {
            VideoAggregate a = VerdictPolicyTest.aggregate(scored, 0.8, ScoreStatus.NO_FACE, 2);
            String json = VerdictSerializer.toJson(
                    VerdictAggregator.build("v", kind, a, VerdictPolicyTest.POLICY, MODEL, 1_700_000_000_000L));

            assertThat(WireSchemas.verdictProblems(json)).as(json).isEmpty();
        }
    }

    @Test
    void theReadmesExampleVerdictMatchesTheSchema() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        int start = readme.indexOf("```json\n{\"videoId\"");
        assertThat(start).as("the README shows an example verdict").isPositive();
        String example = readme.substring(start + 8, readme.indexOf("```", start + 8)).replace("\n", "");
        assertThat(WireSchemas.verdictProblems(example)).as(example).isEmpty();
    }

    @Test
    void errorVerdictsMatchTheSchema() {
        Verdict error = new Verdict("v", VerdictKind.ERROR, null, 0.0, null, null, null, null, null, null, null, null, null,
                new WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0), MODEL, new String[] {"undecodable"}, "cannot read it",
                "no video stream", new String[] {"no video stream"}, 0L, 5L);

        assertThat(WireSchemas.verdictProblems(VerdictSerializer.toJson(error))).isEmpty();
    }

    @Test
    void chunkProblemsComeOneByOneEvenWhenTheirTextHasTheSeparator() throws Exception {
        VideoAggregate a = VerdictPolicyTest.aggregate(10, 0.2, ScoreStatus.NO_FACE, 0);
        VerdictAggregator.addError(a, "chunks 0..2 never arrived; continuing at chunk 3");
        VerdictAggregator.addError(a, "chunk 5 undecodable: x");
        Verdict v = VerdictAggregator.build("v", VerdictKind.FINAL, a, VerdictPolicyTest.POLICY, MODEL, 5L);
        String json = VerdictSerializer.toJson(v);
        assertThat(WireSchemas.verdictProblems(json)).as(json).isEmpty();
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(node.get("errors")).hasSize(2);
        assertThat(node.get("errors").get(0).asText()).isEqualTo("chunks 0..2 never arrived; continuing at chunk 3");
        assertThat(node.get("error").asText())
                .isEqualTo("chunks 0..2 never arrived; continuing at chunk 3; chunk 5 undecodable: x");
        // without problems neither field is there, and the schema holds them together
        String clean = VerdictSerializer.toJson(VerdictAggregator.build("v", VerdictKind.FINAL,
                VerdictPolicyTest.aggregate(10, 0.2, ScoreStatus.NO_FACE, 0), VerdictPolicyTest.POLICY, MODEL, 5L));
        assertThat(clean).doesNotContain("\"error");
        assertThat(WireSchemas.verdictProblems(json.replaceFirst(",\"errors\":\\[[^\\]]*\\]", ""))).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1.5})
    void theSchemaRejectsAConfidenceOutsideZeroToOne(double confidence) {
        Verdict v = new Verdict("v", VerdictKind.FINAL, Label.REAL, confidence, RiskLevel.LOW, null, null, null, null,
                null, null, null, new Segment[0], new WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0), MODEL, null, "text", null, null,
                0L, 5L);

        assertThat(WireSchemas.verdictProblems(VerdictSerializer.toJson(v)))
                .singleElement().asString().contains("confidence");
    }
}
