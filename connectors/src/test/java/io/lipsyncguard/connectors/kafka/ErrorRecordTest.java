package io.lipsyncguard.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.MediaChunk;
import java.nio.charset.StandardCharsets;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** The dead-letter record: a Flink POJO with a stable JSON form. */
class ErrorRecordTest {

    @Test
    void isAFlinkPojoSoItNeedsNoKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ErrorRecord.class);
    }

    @Test
    void jsonFormatIsStableAndRoundTrips() {
        ErrorRecord record = new ErrorRecord("v1", 3, ErrorRecord.STAGE_DECODE, "no video stream", 1_700_000_000_000L);

        byte[] json = new ErrorRecordSerializer().serialize(record);

        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(
                "{\"videoId\":\"v1\",\"sequence\":3,\"stage\":\"decode\",\"reason\":\"no video stream\","
                        + "\"atMs\":1700000000000}");
        assertThat(ErrorRecordSerializer.fromJson(json)).isEqualTo(record);
    }

    @Test
    void aReasonOfAnyLengthIsCutSoTheRecordFitsItsTopicAndSaysHowLongItWas() {
        String path = "/media/" + "a/".repeat(300_000);
        ErrorRecord record = new ErrorRecord("v1", 0, ErrorRecord.STAGE_DECODE, "cannot read " + path, 1);
        assertThat(record.reason()).hasSize(ErrorRecord.MAX_REASON_CHARS)
                .startsWith("cannot read /media/a/a/").endsWith("... (600019 characters in all)");
        assertThat(new ErrorRecordSerializer().serialize(record)).hasSizeLessThan(4 * 1024);
        // a cut never splits a surrogate pair, which would not encode as UTF-8
        String note = "... (2011 characters in all)";
        int before = ErrorRecord.MAX_REASON_CHARS - note.length() - 1;
        String emoji = "x".repeat(before) + "\uD83D\uDE00" + "y".repeat(2011 - before - 2);
        String cut = ErrorRecord.bounded(emoji);
        assertThat(cut).isEqualTo("x".repeat(before) + note);
        assertThat(new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(cut);
        // short reasons stay as they are, and a round trip changes nothing
        assertThat(ErrorRecord.bounded("short")).isEqualTo("short");
        assertThat(ErrorRecord.bounded(record.reason())).isSameAs(record.reason());
        assertThat(ErrorRecordSerializer.fromJson(new ErrorRecordSerializer().serialize(record))).isEqualTo(record);
    }

    @Test
    void readersIgnoreFieldsAddedLater() {
        String json = "{\"videoId\":\"v1\",\"sequence\":-1,\"stage\":\"size\",\"reason\":\"r\",\"atMs\":5,\"new\":1}";

        assertThat(ErrorRecordSerializer.fromJson(json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new ErrorRecord("v1", -1, "size", "r", 5));
    }

    @Test
    void invalidChunksMapToTheirStage() {
        MediaChunk refused = ChunkContentTypes.invalid("v1", 2, false, 0L, "reference uri 'x' is outside");
        MediaChunk malformed = ChunkContentTypes.invalid("v2", -1, false, 0L, "bad header lsg-seq: 'x'");

        assertThat(ErrorRecord.forInvalidChunk(refused, 9L))
                .isEqualTo(new ErrorRecord("v1", 2, "reference", "reference uri 'x' is outside", 9L));
        assertThat(ErrorRecord.forInvalidChunk(malformed, 9L))
                .isEqualTo(new ErrorRecord("v2", -1, "deserialize", "bad header lsg-seq: 'x'", 9L));
    }
}
