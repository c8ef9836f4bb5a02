package io.lipsyncguard.job;

import io.lipsyncguard.connectors.kafka.KafkaSinkSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Where the streaming job reads and writes: brokers, topics, consumer group, delivery guarantee, allowed reference
 * prefixes, checkpoint interval, and client properties passed through (SASL/SSL and the like).
 *
 * @param scoresTopic per-window scores topic, or null for none
 * @param transactionTimeout the exactly-once sinks' Kafka {@code transaction.timeout.ms}: longer than a checkpoint
 *     and a restart take, at most the brokers' {@code transaction.max.timeout.ms}
 */
public record KafkaJobSettings(
        String bootstrapServers,
        String chunksTopic,
        String verdictsTopic,
        String errorsTopic,
        String scoresTopic,
        String groupId,
        DeliveryGuarantee delivery,
        List<String> allowedPrefixes,
        Duration checkpointInterval,
        Map<String, String> clientProperties,
        Duration transactionTimeout) implements Serializable {

    public static KafkaJobSettings defaults(String bootstrapServers) {
        return new KafkaJobSettings(bootstrapServers, "lipsync.chunks", "lipsync.verdicts", "lipsync.errors", null,
                "lipsync-guard", DeliveryGuarantee.EXACTLY_ONCE, List.of(), Duration.ofSeconds(5), Map.of(),
                KafkaSinkSettings.DEFAULT_TRANSACTION_TIMEOUT);
    }

    public KafkaJobSettings withTopics(String chunks, String verdicts, String errors, String scores) {
        return new KafkaJobSettings(bootstrapServers, chunks, verdicts, errors, scores, groupId, delivery,
                allowedPrefixes, checkpointInterval, clientProperties, transactionTimeout);
    }

    public KafkaJobSettings withDelivery(DeliveryGuarantee d, Duration checkpoint) {
        return new KafkaJobSettings(bootstrapServers, chunksTopic, verdictsTopic, errorsTopic, scoresTopic, groupId,
                d, allowedPrefixes, checkpoint, clientProperties, transactionTimeout);
    }

    public KafkaJobSettings withAllowedPrefixes(List<String> prefixes) {
        return new KafkaJobSettings(bootstrapServers, chunksTopic, verdictsTopic, errorsTopic, scoresTopic, groupId,
                delivery, List.copyOf(prefixes), checkpointInterval, clientProperties, transactionTimeout);
    }

    /** Kafka client properties for the source and the sinks (SASL/SSL and the like), passed through unchanged. */
    public KafkaJobSettings withClientProperties(Map<String, String> properties) {
        return new KafkaJobSettings(bootstrapServers, chunksTopic, verdictsTopic, errorsTopic, scoresTopic, groupId,
                delivery, allowedPrefixes, checkpointInterval, Map.copyOf(properties), transactionTimeout);
    }

    public KafkaJobSettings withTransactionTimeout(Duration timeout) {
        return new KafkaJobSettings(bootstrapServers, chunksTopic, verdictsTopic, errorsTopic, scoresTopic, groupId,
                delivery, allowedPrefixes, checkpointInterval, clientProperties, timeout);
    }

    public KafkaJobSettings withGroupId(String group) {
        return new KafkaJobSettings(bootstrapServers, chunksTopic, verdictsTopic, errorsTopic, scoresTopic, group,
                delivery, allowedPrefixes, checkpointInterval, clientProperties, transactionTimeout);
    }
}
