package io.lipsyncguard.connectors.kafka;

import java.util.Map;

/**
 * The one place that derives every Kafka size limit (producer, consumer, broker, topic) from a single media-payload
 * limit, so that a chunk the producer accepts is never rejected by the broker nor stalled by the consumer.
 *
 * <p>The limit given everywhere in this package ({@code maxRecordBytes}) is the largest record <em>value</em> (the
 * media bytes of one chunk). The wire-level settings are larger by {@link #FRAMING_HEADROOM_BYTES}, because Kafka
 * counts key, headers and batch framing against them too:
 *
 * <ul>
 *   <li>producer {@code max.request.size} (and {@code buffer.memory}, which must hold at least one request),
 *   <li>consumer {@code max.partition.fetch.bytes} and {@code fetch.max.bytes},
 *   <li>broker {@code message.max.bytes} and {@code replica.fetch.max.bytes}, topic {@code max.message.bytes}.
 * </ul>
 */
public final class KafkaLimits {

    /** Default largest chunk payload: 16 MiB, over ten seconds of 1080p H.264 and far above Kafka's 1 MiB default. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /** Room for key, headers and record-batch framing on top of the payload. */
    public static final int FRAMING_HEADROOM_BYTES = 64 * 1024;

    private static final long DEFAULT_PRODUCER_BUFFER_MEMORY = 32L * 1024 * 1024;

    private KafkaLimits() {}

    /** The size Kafka sees for a record whose value is {@code maxRecordBytes}: payload plus framing headroom. */
    public static int wireBytes(int maxRecordBytes) {
        requirePositive(maxRecordBytes);
        return Math.addExact(maxRecordBytes, FRAMING_HEADROOM_BYTES);
    }

    /** Producer properties allowing values up to {@code maxRecordBytes}. */
    public static Map<String, String> producerProperties(int maxRecordBytes) {
        return Map.of("max.request.size", Integer.toString(wireBytes(maxRecordBytes)), "buffer.memory",
                Long.toString(requiredBufferMemory(maxRecordBytes)));
    }

    /** The least {@code buffer.memory} for values up to {@code maxRecordBytes}. */
    private static long requiredBufferMemory(int maxRecordBytes) {
        // buffer.memory below max.request.size would make every large send block until max.block.ms and fail.
        return Math.max(DEFAULT_PRODUCER_BUFFER_MEMORY, 2L * wireBytes(maxRecordBytes));
    }

    /**
     * Sets in {@code properties} the producer limits for values up to {@code maxRecordBytes}, keeping a larger
     * {@code buffer.memory} the user gave (a smaller one would block every large send).
     */
    public static void applyProducerLimits(java.util.Properties properties, int maxRecordBytes) {
        long buffer = requiredBufferMemory(maxRecordBytes);
        Object given = properties.get("buffer.memory");
        if (given != null) {
            try {
                buffer = Math.max(buffer, Long.parseLong(given.toString().trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("buffer.memory must be a number of bytes but is " + given, e);
            }
        }
        properties.put("max.request.size", Integer.toString(wireBytes(maxRecordBytes)));
        properties.put("buffer.memory", Long.toString(buffer));
    }

    /** Consumer properties that can fetch values up to {@code maxRecordBytes}. */
    public static Map<String, String> consumerProperties(int maxRecordBytes) {
        String wire = Integer.toString(wireBytes(maxRecordBytes));
        return Map.of("max.partition.fetch.bytes", wire, "fetch.max.bytes", wire);
    }

    /** Broker properties accepting (and replicating) values up to {@code maxRecordBytes}. */
    public static Map<String, String> brokerProperties(int maxRecordBytes) {
        String wire = Integer.toString(wireBytes(maxRecordBytes));
        return Map.of("message.max.bytes", wire, "replica.fetch.max.bytes", wire);
    }

    /** Topic configs accepting values up to {@code maxRecordBytes}, for topics on brokers with smaller defaults. */
    public static Map<String, String> topicConfigs(int maxRecordBytes) {
        return Map.of("max.message.bytes", Integer.toString(wireBytes(maxRecordBytes)));
    }

    static int requirePositive(int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        return maxRecordBytes;
    }
}
