package io.lipsyncguard.connectors.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;

/** Builds the Flink {@link KafkaSink}s that write the job's JSON outputs (verdicts, dead letters) keyed by video. */
public final class KafkaJsonSinks {

    private KafkaJsonSinks() {}

    /**
     * A sink writing {@code value}-serialised records to {@code settings.topic()}.
     *
     * @param keyExtractor the record key (typically the video id, so one video's outputs stay ordered in one
     *     partition); written as UTF-8, a null key lets Kafka spread records over partitions
     * @param value serialises the record value, e.g. {@link ErrorRecordSerializer}
     */
    public static <T> KafkaSink<T> create(
            KafkaSinkSettings settings, SerializableFunction<T, String> keyExtractor, SerializationSchema<T> value) {
        SerializationSchema<T> key = element -> {
            String k = keyExtractor.apply(element);
            return k == null ? null : k.getBytes(StandardCharsets.UTF_8);
        };
        KafkaRecordSerializationSchema<T> serializer = KafkaRecordSerializationSchema.<T>builder()
                .setTopic(settings.topic())
                .setKeySerializationSchema(key)
                .setValueSerializationSchema(value)
                .build();
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(producerProperties(settings))
                .setDeliveryGuarantee(settings.deliveryGuarantee())
                .setRecordSerializer(serializer);
        if (settings.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(settings.transactionalIdPrefix());
        }
        return builder.build();
    }

    /** The producer properties the sink is given, exposed for tests. */
    static Properties producerProperties(KafkaSinkSettings settings) {
        Properties properties = new Properties();
        properties.putAll(settings.properties());
        KafkaLimits.applyProducerLimits(properties, settings.maxRecordBytes());
        // Kafka's own defaults, set so that a client default changed by a broker-side policy or a future version
        // cannot weaken them
        properties.setProperty("acks", "all");
        properties.setProperty("enable.idempotence", "true");
        if (settings.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            // Kafka's 1-minute default would abort any transaction spanning a slow checkpoint.
            properties.setProperty("transaction.timeout.ms", Long.toString(settings.transactionTimeout().toMillis()));
        }
        return properties;
    }
}
