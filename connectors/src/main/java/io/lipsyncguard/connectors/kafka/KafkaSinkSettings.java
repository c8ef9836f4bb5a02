package io.lipsyncguard.connectors.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Where and how the job writes one output topic (verdicts, dead letters): everything {@link KafkaJsonSinks} needs
 * besides the record's key and value.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param topic the output topic
 * @param deliveryGuarantee {@code EXACTLY_ONCE} writes in Kafka transactions committed on Flink checkpoints, so
 *     output only becomes visible to {@code read_committed} readers after a checkpoint
 * @param transactionalIdPrefix required for {@code EXACTLY_ONCE}; must be unique per job and sink and stable
 *     across restarts of the same job, so that a restarted job can abort its predecessor's open transactions
 * @param transactionTimeout Kafka {@code transaction.timeout.ms}; must exceed the longest checkpoint plus restart
 *     time and not exceed the broker's {@code transaction.max.timeout.ms} (15 minutes by default)
 * @param properties further producer properties passed through unchanged (security, compression...); must not
 *     repeat the ones the other components set
 * @param maxRecordBytes largest record value written, see {@link KafkaLimits}
 */
public record KafkaSinkSettings(
        String bootstrapServers,
        String topic,
        DeliveryGuarantee deliveryGuarantee,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        Map<String, String> properties,
        int maxRecordBytes)
        implements Serializable {

    /**
     * 15 minutes, the broker's default maximum: a transaction must outlive two checkpoints and then a recovery (a
     * task manager lost after the checkpoint that prepared it, a GPU pod scheduled anew, its state downloaded),
     * since the restored job commits it only then; aborted by the broker first, its verdicts are lost.
     */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /**
     * Keys set from the typed components; repeating them in {@code properties} would be ambiguous. The
     * acknowledgements are fixed too: {@code acks} below all, or no idempotence, can lose or repeat a verdict that
     * at-least-once delivery promises.
     */
    static final Set<String> MANAGED_PROPERTIES = Set.of(
            "bootstrap.servers", "transactional.id", "transaction.timeout.ms", "max.request.size",
            "key.serializer", "value.serializer", "acks", "enable.idempotence");

    public KafkaSinkSettings {
        requireText(bootstrapServers, "bootstrapServers");
        requireText(topic, "topic");
        Objects.requireNonNull(deliveryGuarantee, "deliveryGuarantee");
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            requireText(transactionalIdPrefix, "transactionalIdPrefix (required for EXACTLY_ONCE)");
        }
        Objects.requireNonNull(transactionTimeout, "transactionTimeout");
        if (transactionTimeout.isNegative() || transactionTimeout.isZero()
                || transactionTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("transactionTimeout out of range: " + transactionTimeout);
        }
        properties = Map.copyOf(properties == null ? Map.of() : properties);
        for (String key : properties.keySet()) {
            if (MANAGED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("property " + key + " is set by KafkaSinkSettings itself");
            }
        }
        KafkaLimits.requirePositive(maxRecordBytes);
    }

    /** At-least-once settings (no transactions) with 16 MiB records. */
    public static KafkaSinkSettings atLeastOnce(String bootstrapServers, String topic) {
        return new KafkaSinkSettings(bootstrapServers, topic, DeliveryGuarantee.AT_LEAST_ONCE, null,
                DEFAULT_TRANSACTION_TIMEOUT, Map.of(), KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    /** Exactly-once settings with the default 15-minute transaction timeout and 16 MiB records. */
    public static KafkaSinkSettings exactlyOnce(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return new KafkaSinkSettings(bootstrapServers, topic, DeliveryGuarantee.EXACTLY_ONCE, transactionalIdPrefix,
                DEFAULT_TRANSACTION_TIMEOUT, Map.of(), KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    public KafkaSinkSettings withTransactionTimeout(Duration value) {
        return new KafkaSinkSettings(bootstrapServers, topic, deliveryGuarantee, transactionalIdPrefix, value,
                properties, maxRecordBytes);
    }

    public KafkaSinkSettings withProperties(Map<String, String> value) {
        return new KafkaSinkSettings(bootstrapServers, topic, deliveryGuarantee, transactionalIdPrefix,
                transactionTimeout, value, maxRecordBytes);
    }

    public KafkaSinkSettings withMaxRecordBytes(int value) {
        return new KafkaSinkSettings(bootstrapServers, topic, deliveryGuarantee, transactionalIdPrefix,
                transactionTimeout, properties, value);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
