package io.lipsyncguard.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.kafka.ErrorRecord;
import io.lipsyncguard.connectors.kafka.ErrorRecordSerializer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The published schemas load from the classpath and accept what the serializers write, and only that. */
class WireSchemasTest {

    @Test
    void serializedErrorRecordsMatchTheirSchema() {
        String json = new String(ErrorRecordSerializer.toJson(
                new ErrorRecord("v1", -1, ErrorRecord.STAGE_DECODE, "no video stream", 1_700_000_000_000L)),
                StandardCharsets.UTF_8);

        assertThat(WireSchemas.errorProblems(json)).isEmpty();
    }

    @Test
    void textThatIsNotJsonIsAProblemNotAnException() {
        assertThat(WireSchemas.verdictProblems("garbage")).singleElement().asString().startsWith("not JSON: ");
        assertThat(WireSchemas.errorProblems("{\"videoId\":")).singleElement().asString().startsWith("not JSON: ");
    }

    @Test
    void errorRecordSchemaNamesWhatIsWrong() {
        assertThat(WireSchemas.errorProblems("{\"videoId\":\"v1\",\"sequence\":3,\"stage\":\"decode\",\"atMs\":5}"))
                .singleElement().asString().contains("reason");
        assertThat(WireSchemas.errorProblems(
                "{\"videoId\":\"\",\"sequence\":3,\"stage\":\"decode\",\"reason\":\"r\",\"atMs\":-5}"))
                .hasSize(2).anySatisfy(p -> assertThat(p).contains("videoId"))
                .anySatisfy(p -> assertThat(p).contains("atMs"));
    }

    @Test
    void verdictSchemaRequiresALabelExceptOnErrors() {
        String common = "\"videoId\":\"v\",\"confidence\":0.9,\"windows\":{\"total\":1,\"scored\":1,\"noFace\":0,"
                + "\"silent\":0,\"multiFace\":0,\"lowQuality\":0,\"audioDropout\":0,\"frozenPicture\":0,\"unscored\":0},\"model\":{\"id\":\"m\","
                + "\"version\":\"1\"},\"explanation\":\"e\",\"mediaMs\":4000,\"emittedAtMs\":1";
        String decided = "\"verdict\":\"REAL\",\"risk\":\"LOW\",\"segments\":[],";

        assertThat(WireSchemas.verdictProblems("{\"kind\":\"FINAL\"," + decided + common + "}")).isEmpty();
        assertThat(WireSchemas.verdictProblems("{\"kind\":\"FINAL\"," + common + "}")).isNotEmpty();
        assertThat(WireSchemas.verdictProblems(
                "{\"kind\":\"ERROR\",\"error\":\"undecodable\",\"errors\":[\"undecodable\"],"
                        + "\"reasons\":[\"undecodable\"]," + common + "}"))
                .isEmpty();
        // error and errors come together
        assertThat(WireSchemas.verdictProblems(
                "{\"kind\":\"ERROR\",\"error\":\"undecodable\",\"reasons\":[\"undecodable\"]," + common + "}"))
                .isNotEmpty();
        assertThat(WireSchemas.verdictProblems(
                "{\"kind\":\"ERROR\",\"verdict\":\"FAKE\",\"error\":\"e\",\"reasons\":[\"x\"]," + common + "}"))
                .isNotEmpty();
        assertThat(WireSchemas.verdictProblems("{\"kind\":\"FINAL\",\"surprise\":1," + decided + common + "}"))
                .singleElement().asString().contains("surprise");
        // a consumer validating with the published file accepts what a later version may add, at any depth,
        // and still rejects what breaks the contract
        String future = "{\"kind\":\"FINAL\",\"surprise\":1," + decided
                + common.replace("\"version\":\"1\"}", "\"version\":\"1\",\"runtime\":\"x\"}") + "}";
        assertThat(WireSchemas.publishedVerdictProblems(future)).isEmpty();
        assertThat(WireSchemas.verdictProblems(future)).hasSize(2);
        assertThat(WireSchemas.publishedVerdictProblems("{\"kind\":\"FINAL\"," + common + "}")).isNotEmpty();
        assertThat(WireSchemas.publishedVerdictProblems(
                "{\"kind\":\"ERROR\",\"verdict\":\"FAKE\",\"error\":\"e\",\"errors\":[\"e\"],\"reasons\":[\"x\"],"
                        + common + "}")).isNotEmpty();
    }

    @Test
    void windowScoreSchemaTiesTheModelsFieldsToScoredWindows() {
        String common = "\"videoId\":\"v\",\"kind\":\"WINDOW\",\"index\":3,\"startMs\":1200,\"endMs\":3200,"
                + "\"faceFraction\":1.0,\"speechFraction\":0.5";
        assertThat(WireSchemas.windowScoreProblems("{" + common
                + ",\"status\":\"SCORED\",\"score\":0.25,\"offsetFrames\":-2.0,\"syncConfidence\":0.3}")).isEmpty();
        assertThat(WireSchemas.windowScoreProblems("{" + common + ",\"status\":\"NO_FACE\"}")).isEmpty();
        assertThat(WireSchemas.windowScoreProblems("{" + common + ",\"status\":\"TIMEOUT\",\"reason\":\"r\"}"))
                .isEmpty();
        // a scored window without its score, an unscored one with one, a score that is no probability
        assertThat(WireSchemas.windowScoreProblems("{" + common + ",\"status\":\"SCORED\",\"offsetFrames\":0}"))
                .isNotEmpty();
        assertThat(WireSchemas.windowScoreProblems("{" + common + ",\"status\":\"SILENT\",\"score\":0.5}"))
                .isNotEmpty();
        assertThat(WireSchemas.windowScoreProblems("{" + common
                + ",\"status\":\"SCORED\",\"score\":1.5,\"offsetFrames\":0}")).isNotEmpty();
        // the aggregator's control events never go out as window scores
        assertThat(WireSchemas.windowScoreProblems("{" + common.replace("WINDOW", "END") + ",\"status\":\"CONTROL\"}"))
                .hasSize(2);
        assertThat(WireSchemas.windowScoreProblems("{" + common + ",\"status\":\"NO_FACE\",\"curve\":[]}"))
                .singleElement().asString().contains("curve");
    }
}
