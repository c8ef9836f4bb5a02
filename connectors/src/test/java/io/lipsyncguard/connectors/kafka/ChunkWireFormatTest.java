package io.lipsyncguard.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.MediaChunk;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** What {@link ChunkHeaders#encode} writes is what {@link MediaChunkDeserializer} reads back. */
class ChunkWireFormatTest {

    private final MediaChunkDeserializer deserializer = new MediaChunkDeserializer(ReferencePolicy.denyAll());

    @Test
    void headersAreDecimalUtf8Text() {
        MediaChunk chunk = new MediaChunk("vidé", 12, true, "video/mp4", -5, new byte[] {1}, null, 99L);

        assertThat(ChunkHeaders.encode(chunk, "video/mp4", 99L))
                .extracting(Header::key, h -> new String(h.value(), StandardCharsets.UTF_8))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("lsg-seq", "12"),
                        org.assertj.core.groups.Tuple.tuple("lsg-last", "true"),
                        org.assertj.core.groups.Tuple.tuple("lsg-content-type", "video/mp4"),
                        org.assertj.core.groups.Tuple.tuple("lsg-media-start-us", "-5"),
                        org.assertj.core.groups.Tuple.tuple("lsg-produced-at-ms", "99"));
        assertThat(ChunkHeaders.key("vidé")).isEqualTo("vidé".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void inlineChunkRoundTrips() {
        MediaChunk chunk = new MediaChunk("v7", 4, false, "video/mp2t", 3_000_000L, new byte[] {4, 5}, null, 1234L);
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>("t", 0, 0L, ChunkHeaders.key(chunk.videoId()), chunk.payload());
        for (Header header : ChunkHeaders.encode(chunk, chunk.contentType(), chunk.producedAtMs())) {
            record.headers().add(header);
        }

        assertThat(deserializer.toChunk(record)).isEqualTo(chunk);
    }

    @Test
    void unknownMediaStartIsOmitted() {
        MediaChunk chunk = new MediaChunk("v7", 0, false, null, MediaChunk.UNKNOWN_START, new byte[] {4}, null, 0L);

        assertThat(ChunkHeaders.encode(chunk, null, 0L)).extracting(Header::key)
                .containsExactly("lsg-seq", "lsg-last", "lsg-produced-at-ms");
    }
}
