package io.lipsyncguard.connectors.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic as it stands now, for tests that assert on exactly what a broker holds. */
final class TopicReader {

    private TopicReader() {}

    /**
     * Every record a consumer with {@code isolationLevel} sees in {@code topic} now, in partition order. For
     * read_committed the end offsets are the last stable offsets: nothing committed lies beyond.
     */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic,
            String isolationLevel) {
        Map<String, Object> properties = new HashMap<>(Map.of(
                "bootstrap.servers", bootstrapServers,
                "isolation.level", isolationLevel,
                "enable.auto.commit", "false"));
        properties.putAll(KafkaLimits.consumerProperties(KafkaLimits.DEFAULT_MAX_RECORD_BYTES));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            if ("read_committed".equals(isolationLevel)) {
                // a commit returns before its markers reach the partitions: until then the last stable offset lags
                // the high watermark and a read_committed reader would see nothing of a transaction that did commit.
                // The high watermarks are read afresh each time: a marker written after a first reading moves both
                // offsets past it, and a stale reading would never be matched.
                Map<String, Object> uncommitted = new HashMap<>(properties);
                uncommitted.put("isolation.level", "read_uncommitted");
                try (KafkaConsumer<byte[], byte[]> watermarks = new KafkaConsumer<>(
                        uncommitted, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    while (!stable.equals(watermarks.endOffsets(partitions))) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("topic " + topic + " still has open transactions after 30 s");
                        }
                        sleep();
                        stable = consumer.endOffsets(partitions);
                    }
                }
            }
            Map<TopicPartition, Long> end = stable;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("topic " + topic + " not read to its end within 30 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
