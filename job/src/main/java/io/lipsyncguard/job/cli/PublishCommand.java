package io.lipsyncguard.job.cli;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkHeaders;
import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.KafkaLimits;
import io.lipsyncguard.connectors.kafka.MediaChunkDeserializer;
import io.lipsyncguard.job.media.MediaChunker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code publish}: cuts videos into MPEG-TS/fMP4 chunks and produces them to the chunks topic with the headers. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Cut videos into chunks with FFmpeg and produce them to Kafka (key = video id).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every chunk of every FILE was produced",
            "1:the brokers could not be reached or producing failed",
            "2:bad usage: missing FILE, unknown --format, --chunk-seconds outside [0.04, 600], a video id over the "
                    + "key limit, a chunk larger than one record (nothing is sent then)"})
public final class PublishCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Video files.")
    List<Path> files;

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = {"--topic", "--chunks-topic"}, defaultValue = "lipsync.chunks", description = "Chunks topic (default: "
            + "${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--chunk-seconds", defaultValue = "2", description = "Chunk duration (default: ${DEFAULT-VALUE}).")
    double chunkSeconds;

    @Option(names = "--format", defaultValue = "ts", description = "ts (MPEG-TS) or fmp4 (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--realtime", description = "Pace chunks at real time, like a live stream.")
    boolean realtime;

    @Option(names = "--id-suffix", paramLabel = "SUFFIX", defaultValue = "", description = "Appended to every "
            + "video id (the file's absolute path), to publish the same files again as new videos: an id names one "
            + "video, and chunks under an id whose video has ended get error records, not a second verdict.")
    String idSuffix;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Kafka producer property "
            + "(repeatable), e.g. security.protocol=SASL_SSL.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                System.err.println("publish: " + RunCommand.notAFile(f));
                return 2;
            }
        }
        String twice = RunCommand.namedTwice(files);
        if (twice != null) {
            System.err.println("publish: " + twice);
            return 2;
        }
        if (!format.equals("ts") && !format.equals("fmp4")) {
            System.err.println("publish: --format must be ts or fmp4, not " + format);
            return 2;
        }
        if (!validChunkSeconds(chunkSeconds)) {
            System.err.println("publish: " + chunkSecondsProblem(chunkSeconds));
            return 2;
        }
        if (RunCommand.brokersUnreachable("publish", bootstrapServers, kafkaProperties)) {
            return 1;
        }
        Path work = Files.createTempDirectory("lipsync-publish");
        try {
            List<MediaChunker.Part> parts;
            try {
                parts = plan(files, chunkSeconds, format, work, idSuffix);
            } catch (ChunkTooLargeException e) {
                System.err.println("publish: " + e.getMessage());
                return 2;
            }
            try (ChunkProducer producer = ChunkProducer.builder(bootstrapServers, topic).properties(kafkaProperties)
                    .idempotent(true).build()) {
                sendParts(producer, parts, realtime ? chunkSeconds : 0);
            } catch (Exception e) {
                System.err.println("publish: producing failed: " + e.getMessage());
                return 1;
            }
            System.err.println("published " + parts.size() + " chunks of " + files.size() + " videos to " + topic);
            return 0;
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Sends chunks in order; with {@code paceSeconds > 0}, chunk number i of every video leaves no earlier than
     * i·paceSeconds after the first, as a live packager would emit them.
     */
    public static void send(ChunkProducer producer, List<MediaChunk> chunks, double paceSeconds) throws Exception {
        long start = System.nanoTime();
        for (MediaChunk c : chunks) {
            awaitTurn(start, c.sequence(), paceSeconds);
            producer.send(c); // stamps lsg-produced-at-ms at send time, for latency measurement
        }
        producer.flush();
    }

    /** As {@link #send}, reading each chunk just before it goes (one chunk in memory at a time). */
    static void sendParts(ChunkProducer producer, List<MediaChunker.Part> parts, double paceSeconds)
            throws Exception {
        long start = System.nanoTime();
        for (MediaChunker.Part p : parts) {
            awaitTurn(start, p.sequence(), paceSeconds);
            producer.send(p.load());
        }
        producer.flush();
    }

    /** With {@code paceSeconds > 0}, sleeps until chunk {@code sequence}'s time, {@code sequence}·pace after start. */
    private static void awaitTurn(long startNanos, long sequence, double paceSeconds) throws InterruptedException {
        if (paceSeconds > 0) {
            long wait = startNanos + (long) (sequence * paceSeconds * 1e9) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
    }

    /** The shortest chunk: one frame at 25 fps (the segmenter is given milliseconds; less rounds to nothing). */
    static final double MIN_CHUNK_SECONDS = 0.04;

    /** Whether chunks of {@code seconds} can be cut: a frame at least and at most 10 minutes. */
    static boolean validChunkSeconds(double seconds) {
        return seconds >= MIN_CHUNK_SECONDS && seconds <= 600;
    }

    static String chunkSecondsProblem(double seconds) {
        return "--chunk-seconds must be at least " + MIN_CHUNK_SECONDS + " (a frame) and at most 600 but is "
                + seconds;
    }

    /** Largest file sent whole when FFmpeg cannot cut it: what one record may carry. */
    static final long WHOLE_UPLOAD_LIMIT_BYTES =
            KafkaLimits.DEFAULT_MAX_RECORD_BYTES - KafkaLimits.FRAMING_HEADROOM_BYTES;

    /**
     * Chunks of every file, interleaved round-robin by sequence number as concurrent live streams would arrive; the
     * video id is the file's absolute path, as in {@code analyze}. All in memory: for tests and short runs.
     */
    public static List<MediaChunk> chunksOf(List<Path> files, double seconds, String format) throws Exception {
        Path work = Files.createTempDirectory("lipsync-publish");
        try {
            List<MediaChunk> chunks = new ArrayList<>();
            for (MediaChunker.Part p : plan(files, seconds, format, work, "")) {
                chunks.add(p.load());
            }
            return chunks;
        } finally {
            deleteTree(work);
        }
    }

    /** The segments FFmpeg wrote (a re-encoded copy of every file) go once read. */
    static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A chunk over what one record may carry: every chunk is checked before the first is sent. */
    static final class ChunkTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        ChunkTooLargeException(String message) {
            super(message);
        }
    }

    /**
     * Every file cut into chunk files under {@code work} (a file FFmpeg cannot cut is one part, itself, if it fits a
     * record), checked against the record limit and interleaved as {@link #chunksOf} orders them.
     */
    static List<MediaChunker.Part> plan(List<Path> files, double seconds, String format, Path work, String idSuffix)
            throws Exception {
        for (Path f : files) {
            int keyBytes = ChunkHeaders.key(f.toAbsolutePath().normalize() + idSuffix).length;
            if (keyBytes > MediaChunkDeserializer.MAX_KEY_BYTES) {
                // checked before anything is cut or sent, as the sizes are before sending: refused by the producer
                // mid-way, the videos before it would stay half-published
                throw new ChunkTooLargeException("the video id of " + f + " (its path and --id-suffix) has "
                        + keyBytes + " bytes, more than the key limit of "
                        + MediaChunkDeserializer.MAX_KEY_BYTES + "; nothing was sent");
            }
        }
        List<List<MediaChunker.Part>> perVideo = new ArrayList<>();
        for (Path f : files) {
            String id = f.toAbsolutePath().normalize() + idSuffix;
            try {
                perVideo.add(MediaChunker.parts(f, id, seconds, format, work.resolve(String.valueOf(perVideo.size()))));
            } catch (IOException e) {
                // not media FFmpeg can cut (junk, truncated): sent whole, as an upload, so that the job itself
                // answers with an ERROR verdict that says why, and the other files still get theirs
                long size = Files.size(f);
                if (size > WHOLE_UPLOAD_LIMIT_BYTES) {
                    throw new ChunkTooLargeException("cannot cut " + f + " into chunks, and at " + size + " bytes "
                            + "it is too large to send whole: " + e.getMessage() + "; nothing was sent");
                }
                System.err.println("cannot cut " + f + " into chunks; sending it whole for the job to report on");
                perVideo.add(List.of(new MediaChunker.Part(id, 0, true, null, MediaChunk.UNKNOWN_START, f)));
            }
        }
        checkSizes(perVideo, KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
        List<MediaChunker.Part> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            boolean any = false;
            for (List<MediaChunker.Part> v : perVideo) {
                if (i < v.size()) {
                    out.add(v.get(i));
                    any = true;
                }
            }
            if (!any) {
                return out;
            }
        }
    }

    /**
     * Fails on the first chunk over {@code limit} bytes, before any is sent: sent one by one, a video would stop
     * half-published at its first oversized chunk, and its id would then refuse a corrected resend as chunks of a
     * video that has ended.
     */
    static void checkSizes(List<List<MediaChunker.Part>> perVideo, long limit) throws IOException {
        for (List<MediaChunker.Part> video : perVideo) {
            for (MediaChunker.Part c : video) {
                if (c.size() > limit) {
                    throw new ChunkTooLargeException("chunk " + c.sequence() + " of " + c.videoId() + " has "
                            + c.size() + " bytes, more than the " + limit + " one record may carry: use a "
                            + "shorter --chunk-seconds; nothing was sent");
                }
            }
        }
    }
}
