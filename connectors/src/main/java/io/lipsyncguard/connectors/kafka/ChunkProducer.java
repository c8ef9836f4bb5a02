package io.lipsyncguard.connectors.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lipsyncguard.connectors.MediaChunk;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes {@link MediaChunk}s to the chunk topic in the wire format of {@link ChunkHeaders}: inline chunks as their
 * bytes, reference chunks as {@link ChunkContentTypes#REFERENCE} JSON. Used by {@code lipsync run}, demos and tests.
 *
 * <p>Not thread-safe. Records are keyed by video id, so each video's chunks stay in order in one partition.
 */
public final class ChunkProducer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int maxRecordBytes;
    private final boolean transactional;
    private final RealTimePacer pacer;
    private final Clock wallClock;

    private ChunkProducer(Builder builder) {
        this.topic = builder.topic;
        this.maxRecordBytes = builder.maxRecordBytes;
        this.transactional = builder.transactionalId != null;
        this.pacer = builder.pacer;
        this.wallClock = builder.wallClock;
        Properties properties = new Properties();
        properties.putAll(builder.properties);
        KafkaLimits.applyProducerLimits(properties, maxRecordBytes);
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(builder.idempotent || transactional));
        if (transactional) {
            properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, builder.transactionalId);
        }
        this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        if (transactional) {
            try {
                producer.initTransactions();
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        }
    }

    /** A builder for a producer writing to {@code topic}. */
    public static Builder builder(String bootstrapServers, String topic) {
        return new Builder(bootstrapServers, topic);
    }

    /**
     * Sends the chunks in order (pacing them if a pacer is set) and returns once all are acknowledged; in
     * transactional mode they are committed as one transaction, or none is visible if this throws.
     *
     * @return where each chunk was written, in the order given
     * @throws IllegalArgumentException if a chunk cannot be written (checked for all before any is sent)
     * @throws KafkaException if Kafka refused or lost a chunk
     */
    public List<RecordMetadata> send(List<MediaChunk> chunks) throws InterruptedException {
        for (MediaChunk chunk : chunks) {
            validate(chunk);
        }
        if (transactional) {
            producer.beginTransaction();
        }
        try {
            List<Future<RecordMetadata>> futures = new ArrayList<>(chunks.size());
            for (MediaChunk chunk : chunks) {
                if (pacer != null) {
                    pacer.awaitTurn(chunk);
                }
                futures.add(producer.send(toRecord(chunk)));
            }
            if (transactional) {
                producer.commitTransaction();
            } else {
                producer.flush();
            }
            List<RecordMetadata> written = new ArrayList<>(futures.size());
            for (Future<RecordMetadata> future : futures) {
                written.add(future.get());
            }
            return written;
        } catch (ExecutionException e) {
            KafkaException failure = e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
            abortQuietly(failure);
            throw failure;
        } catch (InterruptedException | RuntimeException e) {
            abortQuietly(e);
            throw e;
        }
    }

    /** Sends one chunk; see {@link #send(List)}. */
    public RecordMetadata send(MediaChunk chunk) throws InterruptedException {
        return send(List.of(chunk)).get(0);
    }

    /** Blocks until every chunk handed to Kafka so far is acknowledged. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }

    private void abortQuietly(Exception cause) {
        if (!transactional) {
            return;
        }
        if (cause instanceof ProducerFencedException || cause instanceof OutOfOrderSequenceException
                || cause instanceof AuthorizationException) {
            // Fatal for the transactional producer: aborting would throw again; only close() helps.
            return;
        }
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void validate(MediaChunk chunk) {
        Objects.requireNonNull(chunk, "chunk");
        if (chunk.videoId() == null || chunk.videoId().isBlank()) {
            throw new IllegalArgumentException("chunk without video id: " + chunk);
        }
        // the consumer's limits, checked here so that such a chunk is refused before it is sent, not dead-lettered
        // (or renamed to a hashed id) by the job
        int keyBytes = ChunkHeaders.key(chunk.videoId()).length;
        if (keyBytes > MediaChunkDeserializer.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("video id of " + keyBytes + " bytes exceeds the key limit of "
                    + MediaChunkDeserializer.MAX_KEY_BYTES + " bytes");
        }
        if (chunk.sequence() < 0 || chunk.sequence() > ChunkHeaders.MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence " + chunk.sequence() + " is outside 0.."
                    + ChunkHeaders.MAX_SEQUENCE + ": " + chunk);
        }
        if (chunk.mediaStartUs() != MediaChunk.UNKNOWN_START
                && Math.abs(chunk.mediaStartUs()) > ChunkHeaders.MAX_MEDIA_START_US) {
            throw new IllegalArgumentException("media start " + chunk.mediaStartUs() + " µs is beyond ±"
                    + ChunkHeaders.MAX_MEDIA_START_US + ": " + chunk);
        }
        if (ChunkContentTypes.isReserved(chunk.contentType())) { // compared as the consumer compares them
            throw new IllegalArgumentException("content type " + chunk.contentType() + " is reserved: " + chunk);
        }
        if (chunk.contentType() != null
                && chunk.contentType().length() > MediaChunkDeserializer.MAX_CONTENT_TYPE_CHARS) {
            throw new IllegalArgumentException("content type of " + chunk.contentType().length()
                    + " characters exceeds the limit of " + MediaChunkDeserializer.MAX_CONTENT_TYPE_CHARS);
        }
        if (chunk.isReference()) {
            if (chunk.uri() == null || chunk.uri().isBlank()) {
                throw new IllegalArgumentException("chunk has neither payload nor uri: " + chunk);
            }
            // with this and the content type's limit, the reference value stays under the consumer's 128 KiB even
            // with every character escaped to six bytes, so it need not be serialized here to be measured
            if (chunk.uri().length() > ReferencePolicy.MAX_URI_CHARS) {
                throw new IllegalArgumentException("reference uri of " + chunk.uri().length()
                        + " characters exceeds the limit of " + ReferencePolicy.MAX_URI_CHARS);
            }
        }
        if (chunk.inlineSize() > maxRecordBytes) {
            throw new IllegalArgumentException("chunk payload of " + chunk.inlineSize() + " bytes exceeds the limit of "
                    + maxRecordBytes + " bytes: " + chunk);
        }
    }

    private ProducerRecord<byte[], byte[]> toRecord(MediaChunk chunk) {
        long producedAtMs = chunk.producedAtMs() > 0 ? chunk.producedAtMs() : wallClock.millis();
        byte[] value;
        String wireContentType;
        if (chunk.isReference()) {
            value = referenceJson(chunk);
            wireContentType = ChunkContentTypes.REFERENCE;
        } else {
            value = chunk.payload();
            wireContentType = chunk.contentType();
        }
        return new ProducerRecord<>(topic, null, null, ChunkHeaders.key(chunk.videoId()), value,
                ChunkHeaders.encode(chunk, wireContentType, producedAtMs));
    }

    private static byte[] referenceJson(MediaChunk chunk) {
        ObjectNode node = JSON.createObjectNode();
        node.put("uri", chunk.uri());
        if (chunk.contentType() != null) {
            node.put("contentType", chunk.contentType());
        }
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options of a {@link ChunkProducer}; defaults: 16 MiB chunks, idempotent, not transactional, no pacing. */
    public static final class Builder {
        private final String bootstrapServers;
        private final String topic;
        private int maxRecordBytes = KafkaLimits.DEFAULT_MAX_RECORD_BYTES;
        private String transactionalId;
        private boolean idempotent = true;
        private RealTimePacer pacer;
        private Clock wallClock = Clock.systemUTC();
        private final Map<String, String> properties = new HashMap<>();

        private Builder(String bootstrapServers, String topic) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        /** Largest chunk payload accepted; must not exceed what the broker and topic accept. */
        public Builder maxRecordBytes(int value) {
            this.maxRecordBytes = KafkaLimits.requirePositive(value);
            return this;
        }

        /** Makes each {@link #send(List)} one Kafka transaction under this id (implies idempotence). */
        public Builder transactionalId(String value) {
            this.transactionalId = value;
            return this;
        }

        /** Idempotence avoids duplicates from the producer's own retries; on by default. */
        public Builder idempotent(boolean value) {
            this.idempotent = value;
            return this;
        }

        /** Paces chunks in real time, e.g. {@link RealTimePacer#system()}; null for as fast as possible. */
        public Builder pacer(RealTimePacer value) {
            this.pacer = value;
            return this;
        }

        /** The clock stamping {@code lsg-produced-at-ms} on chunks whose {@code producedAtMs} is 0. */
        public Builder wallClock(Clock value) {
            this.wallClock = Objects.requireNonNull(value, "wallClock");
            return this;
        }

        /** Further producer properties (security, compression, linger...). */
        public Builder properties(Map<String, String> value) {
            this.properties.putAll(value);
            return this;
        }

        public ChunkProducer build() {
            return new ChunkProducer(this);
        }
    }
}
