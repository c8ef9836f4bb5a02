package io.lipsyncguard.connectors.kafka;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.IsolationLevel;

/**
 * Where and how the job reads chunk records: everything {@link KafkaChunkSources} needs besides the reference
 * policy.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param topic the chunk topic, or null when {@code topicPattern} is set
 * @param topicPattern a regular expression of chunk topics, or null when {@code topic} is set
 * @param groupId consumer group, also the group whose committed offsets {@link StartingOffsets#COMMITTED} resumes
 * @param startingOffsets where a fresh job starts (a restored job always resumes from its checkpoint)
 * @param properties further client properties passed through unchanged (security, timeouts...); must not repeat
 *     the ones the other components set
 * @param isolationLevel {@code READ_COMMITTED} by default, so chunks of aborted producer transactions are not seen
 * @param maxRecordBytes largest chunk value accepted, see {@link KafkaLimits}
 */
public record KafkaSourceSettings(
        String bootstrapServers,
        String topic,
        String topicPattern,
        String groupId,
        StartingOffsets startingOffsets,
        Map<String, String> properties,
        IsolationLevel isolationLevel,
        int maxRecordBytes)
        implements Serializable {

    /** Where a job without checkpointed state starts reading. */
    public enum StartingOffsets {
        /** From the beginning of every partition. */
        EARLIEST,
        /** Only records produced after the job starts. */
        LATEST,
        /**
         * From the group's committed offsets (the source commits them on each completed checkpoint); from the
         * beginning of partitions the group never committed.
         */
        COMMITTED
    }

    /**
     * Keys set from the typed components; repeating them in {@code properties} would be ambiguous. The offset
     * commits are fixed too: auto-commit would commit chunks ahead of the checkpoint that holds their state, so a
     * fresh start skips them, and no commit on checkpoints would read every chunk again, a second verdict each.
     */
    static final Set<String> MANAGED_PROPERTIES = Set.of(
            "bootstrap.servers", "group.id", "isolation.level", "max.partition.fetch.bytes", "fetch.max.bytes",
            "key.deserializer", "value.deserializer", "enable.auto.commit", "commit.offsets.on.checkpoint");

    public KafkaSourceSettings {
        requireText(bootstrapServers, "bootstrapServers");
        requireText(groupId, "groupId");
        if ((topic == null) == (topicPattern == null)) {
            throw new IllegalArgumentException("exactly one of topic and topicPattern must be set");
        }
        if (topic != null) {
            requireText(topic, "topic");
        } else {
            try {
                Pattern.compile(topicPattern);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("topicPattern is not a regular expression: " + topicPattern, e);
            }
        }
        Objects.requireNonNull(startingOffsets, "startingOffsets");
        properties = Map.copyOf(properties == null ? Map.of() : properties);
        for (String key : properties.keySet()) {
            if (MANAGED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("property " + key + " is set by KafkaSourceSettings itself");
            }
        }
        Objects.requireNonNull(isolationLevel, "isolationLevel");
        KafkaLimits.requirePositive(maxRecordBytes);
    }

    /** Settings for one topic with the defaults: earliest offsets, read_committed, 16 MiB records. */
    public static KafkaSourceSettings forTopic(String bootstrapServers, String topic, String groupId) {
        return new KafkaSourceSettings(bootstrapServers, topic, null, groupId, StartingOffsets.EARLIEST, Map.of(),
                IsolationLevel.READ_COMMITTED, KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    /** Settings for every topic matching {@code topicPattern}, with the same defaults as {@link #forTopic}. */
    public static KafkaSourceSettings forTopicPattern(String bootstrapServers, String topicPattern, String groupId) {
        return new KafkaSourceSettings(bootstrapServers, null, topicPattern, groupId, StartingOffsets.EARLIEST,
                Map.of(), IsolationLevel.READ_COMMITTED, KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    public KafkaSourceSettings withStartingOffsets(StartingOffsets value) {
        return new KafkaSourceSettings(bootstrapServers, topic, topicPattern, groupId, value, properties,
                isolationLevel, maxRecordBytes);
    }

    public KafkaSourceSettings withProperties(Map<String, String> value) {
        return new KafkaSourceSettings(bootstrapServers, topic, topicPattern, groupId, startingOffsets, value,
                isolationLevel, maxRecordBytes);
    }

    public KafkaSourceSettings withIsolationLevel(IsolationLevel value) {
        return new KafkaSourceSettings(bootstrapServers, topic, topicPattern, groupId, startingOffsets, properties,
                value, maxRecordBytes);
    }

    public KafkaSourceSettings withMaxRecordBytes(int value) {
        return new KafkaSourceSettings(bootstrapServers, topic, topicPattern, groupId, startingOffsets, properties,
                isolationLevel, value);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
