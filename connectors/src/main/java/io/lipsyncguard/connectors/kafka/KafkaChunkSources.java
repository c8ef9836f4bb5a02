package io.lipsyncguard.connectors.kafka;

import io.lipsyncguard.connectors.MediaChunk;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the Flink {@link KafkaSource} that reads {@link MediaChunk}s from the chunk topic. */
public final class KafkaChunkSources {

    private KafkaChunkSources() {}

    /** The (unbounded) chunk source described by {@code settings}. */
    public static KafkaSource<MediaChunk> create(KafkaSourceSettings settings, ReferencePolicy referencePolicy) {
        return builder(settings, referencePolicy).build();
    }

    /**
     * A builder preconfigured like {@link #create}, for callers that need more, e.g. {@code setBounded} in tests
     * and batch replays.
     */
    public static KafkaSourceBuilder<MediaChunk> builder(
            KafkaSourceSettings settings, ReferencePolicy referencePolicy) {
        Properties properties = new Properties();
        properties.putAll(settings.properties());
        properties.putAll(KafkaLimits.consumerProperties(settings.maxRecordBytes()));
        properties.setProperty("isolation.level", settings.isolationLevel().name().toLowerCase(Locale.ROOT));
        // offsets are committed only with a completed checkpoint (Flink's defaults, set so nothing overrides them)
        properties.setProperty("enable.auto.commit", "false");
        properties.setProperty("commit.offsets.on.checkpoint", "true");

        KafkaSourceBuilder<MediaChunk> builder = KafkaSource.<MediaChunk>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setGroupId(settings.groupId())
                .setProperties(properties)
                .setStartingOffsets(startingOffsets(settings.startingOffsets()))
                .setDeserializer(new MediaChunkDeserializer(referencePolicy, settings.maxRecordBytes()));
        if (settings.topic() != null) {
            builder.setTopics(settings.topic());
        } else {
            builder.setTopicPattern(Pattern.compile(settings.topicPattern()));
        }
        return builder;
    }

    @SuppressWarnings("deprecation") // Flink's OffsetsInitializer API still takes Kafka's OffsetResetStrategy.
    static OffsetsInitializer startingOffsets(KafkaSourceSettings.StartingOffsets startingOffsets) {
        return switch (startingOffsets) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}
