package io.lipsyncguard.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;

/** Source/sink settings validation and the client properties derived from them and from {@link KafkaLimits}. */
class KafkaSettingsTest {

    private static final int WIRE = KafkaLimits.DEFAULT_MAX_RECORD_BYTES + KafkaLimits.FRAMING_HEADROOM_BYTES;

    @Test
    void limitsAreOneValueEverywhere() {
        assertThat(KafkaLimits.DEFAULT_MAX_RECORD_BYTES).isEqualTo(16 * 1024 * 1024);
        String wire = Integer.toString(WIRE);
        assertThat(KafkaLimits.producerProperties(KafkaLimits.DEFAULT_MAX_RECORD_BYTES))
                .containsEntry("max.request.size", wire)
                // 2 x (16 MiB + headroom): room for one request in flight while the next one fills.
                .containsEntry("buffer.memory", Integer.toString(2 * WIRE));
        assertThat(KafkaLimits.consumerProperties(KafkaLimits.DEFAULT_MAX_RECORD_BYTES))
                .containsEntry("max.partition.fetch.bytes", wire)
                .containsEntry("fetch.max.bytes", wire);
        assertThat(KafkaLimits.brokerProperties(KafkaLimits.DEFAULT_MAX_RECORD_BYTES))
                .containsEntry("message.max.bytes", wire)
                .containsEntry("replica.fetch.max.bytes", wire);
        assertThat(KafkaLimits.topicConfigs(KafkaLimits.DEFAULT_MAX_RECORD_BYTES))
                .containsExactly(Map.entry("max.message.bytes", wire));
        assertThat(EmbeddedKafka.brokerConfig(KafkaLimits.DEFAULT_MAX_RECORD_BYTES))
                .containsEntry("message.max.bytes", wire);
    }

    @Test
    void sourceDefaults() {
        KafkaSourceSettings settings = KafkaSourceSettings.forTopic("localhost:9092", "chunks", "lsg");

        assertThat(settings.isolationLevel()).isEqualTo(IsolationLevel.READ_COMMITTED);
        assertThat(settings.startingOffsets()).isEqualTo(KafkaSourceSettings.StartingOffsets.EARLIEST);
        assertThat(settings.maxRecordBytes()).isEqualTo(KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
        assertThat(settings.properties()).isEmpty();
    }

    @Test
    void sourceNeedsExactlyOneOfTopicAndPattern() {
        assertThatThrownBy(() -> new KafkaSourceSettings("b:1", "t", "t.*", "g",
                        KafkaSourceSettings.StartingOffsets.LATEST, Map.of(), IsolationLevel.READ_COMMITTED, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KafkaSourceSettings("b:1", null, null, "g",
                        KafkaSourceSettings.StartingOffsets.LATEST, Map.of(), IsolationLevel.READ_COMMITTED, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(KafkaSourceSettings.forTopicPattern("b:1", "chunks-.*", "g").topicPattern()).isEqualTo("chunks-.*");
    }

    @Test
    void sourcePassesSecurityPropertiesButRefusesManagedOnes() {
        KafkaSourceSettings settings = KafkaSourceSettings.forTopic("b:1", "t", "g")
                .withProperties(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"));
        assertThat(settings.properties()).containsEntry("security.protocol", "SASL_SSL");

        assertThatThrownBy(() -> settings.withProperties(Map.of("isolation.level", "read_uncommitted")))
                .hasMessageContaining("isolation.level");
        // offsets committed ahead of a checkpoint skip chunks on a fresh start; none committed reads them all again
        for (String key : new String[] {"enable.auto.commit", "commit.offsets.on.checkpoint"}) {
            assertThatThrownBy(() -> settings.withProperties(Map.of(key, "true")))
                    .hasMessage("property " + key + " is set by KafkaSourceSettings itself");
        }
    }

    @Test
    void sinksAcknowledgeEveryRecordWhateverTheClientPropertiesSay() {
        for (KafkaSinkSettings settings : new KafkaSinkSettings[] {KafkaSinkSettings.atLeastOnce("b:1", "v"),
            KafkaSinkSettings.exactlyOnce("b:1", "v", "p")}) {
            assertThat(KafkaJsonSinks.producerProperties(settings))
                    .containsEntry("acks", "all").containsEntry("enable.idempotence", "true");
            for (String key : new String[] {"acks", "enable.idempotence"}) {
                assertThatThrownBy(() -> settings.withProperties(Map.of(key, "0")))
                        .hasMessage("property " + key + " is set by KafkaSinkSettings itself");
            }
        }
    }

    @Test
    void eachStartingOffsetStartsWhereItsNameSays() {
        // a retriever whose answers tell the positions apart: committed 7, beginning 0, end 9; the connector answers
        // with its own markers (-3 committed, -2 earliest, -1 latest) where the reader resolves them itself
        org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("t", 0);
        var retriever = new org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer
                .PartitionOffsetsRetriever() {
            @Override
            public Map<org.apache.kafka.common.TopicPartition, Long> committedOffsets(
                    java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
                return Map.of(tp, 7L);
            }

            @Override
            public Map<org.apache.kafka.common.TopicPartition, Long> endOffsets(
                    java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
                return Map.of(tp, 9L);
            }

            @Override
            public Map<org.apache.kafka.common.TopicPartition, Long> beginningOffsets(
                    java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
                return Map.of(tp, 0L);
            }

            @Override
            public Map<org.apache.kafka.common.TopicPartition,
                    org.apache.kafka.clients.consumer.OffsetAndTimestamp> offsetsForTimes(
                    Map<org.apache.kafka.common.TopicPartition, Long> timestamps) {
                throw new AssertionError("no starting offset is by time");
            }
        };
        java.util.function.Function<KafkaSourceSettings.StartingOffsets, Long> start = o ->
                KafkaChunkSources.startingOffsets(o).getPartitionOffsets(java.util.List.of(tp), retriever).get(tp);
        assertThat(start.apply(KafkaSourceSettings.StartingOffsets.EARLIEST)).isIn(-2L, 0L);
        assertThat(start.apply(KafkaSourceSettings.StartingOffsets.LATEST)).isIn(-1L, 9L);
        assertThat(start.apply(KafkaSourceSettings.StartingOffsets.COMMITTED)).isIn(-3L, 7L);
        // a group that never committed starts at the beginning: chunks published before it started are read
        @SuppressWarnings("deprecation")
        var reset = KafkaChunkSources.startingOffsets(KafkaSourceSettings.StartingOffsets.COMMITTED)
                .getAutoOffsetResetStrategy();
        assertThat(reset.name()).isEqualTo("EARLIEST");
    }

    @Test
    void sourceBuildsForEveryStartingOffset() {
        for (KafkaSourceSettings.StartingOffsets offsets : KafkaSourceSettings.StartingOffsets.values()) {
            KafkaSourceSettings settings = KafkaSourceSettings.forTopic("b:1", "t", "g").withStartingOffsets(offsets);
            assertThat(KafkaChunkSources.create(settings, ReferencePolicy.denyAll())).isNotNull();
        }
    }

    @Test
    void exactlyOnceSinkSetsTransactionTimeoutAndSizeLimit() {
        KafkaSinkSettings settings = KafkaSinkSettings.exactlyOnce("b:1", "dlq", "lsg-dlq")
                .withProperties(Map.of("compression.type", "zstd"));

        Properties properties = KafkaJsonSinks.producerProperties(settings);

        assertThat(settings.transactionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(properties)
                .containsEntry("transaction.timeout.ms", "900000")
                .containsEntry("max.request.size", Integer.toString(WIRE))
                .containsEntry("compression.type", "zstd");
        assertThat(KafkaJsonSinks.create(settings, (String s) -> s, s -> s.getBytes())).isNotNull();
    }

    @Test
    void aLargerProducerBufferIsKeptAndASmallerOneRaised() {
        long required = Long.parseLong(KafkaLimits.producerProperties(KafkaLimits.DEFAULT_MAX_RECORD_BYTES)
                .get("buffer.memory"));
        Properties larger = KafkaJsonSinks.producerProperties(KafkaSinkSettings.atLeastOnce("b:1", "v")
                .withProperties(Map.of("buffer.memory", Long.toString(4 * required))));
        assertThat(larger).containsEntry("buffer.memory", Long.toString(4 * required));
        Properties smaller = KafkaJsonSinks.producerProperties(KafkaSinkSettings.atLeastOnce("b:1", "v")
                .withProperties(Map.of("buffer.memory", "1024")));
        assertThat(smaller).containsEntry("buffer.memory", Long.toString(required));
        assertThatThrownBy(() -> KafkaJsonSinks.producerProperties(KafkaSinkSettings.atLeastOnce("b:1", "v")
                .withProperties(Map.of("buffer.memory", "128m")))).hasMessageContaining("buffer.memory");
    }

    @Test
    void atLeastOnceSinkHasNoTransactions() {
        KafkaSinkSettings settings = KafkaSinkSettings.atLeastOnce("b:1", "verdicts");

        assertThat(settings.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(KafkaJsonSinks.producerProperties(settings)).doesNotContainKey("transaction.timeout.ms");
    }

    @Test
    void exactlyOnceNeedsATransactionalIdPrefix() {
        assertThatThrownBy(() -> KafkaSinkSettings.exactlyOnce("b:1", "dlq", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transactionalIdPrefix");
        assertThatThrownBy(() -> KafkaSinkSettings.exactlyOnce("b:1", "dlq", "p").withTransactionTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaSinkSettings.atLeastOnce("b:1", "dlq")
                        .withProperties(Map.of("transaction.timeout.ms", "1")))
                .hasMessageContaining("transaction.timeout.ms");
    }
}
