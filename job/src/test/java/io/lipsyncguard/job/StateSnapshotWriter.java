package io.lipsyncguard.job;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.media.ChunkDecoder;
import io.lipsyncguard.job.media.MediaChunker;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.score.ScoreStatus;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.score.WindowScorer;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictAggregator;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.models.Device;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freezes what a release's savepoints hold, for {@link StateMigrationTest}: the state of the decoder, the scorer and
 * the aggregator in the middle of their videos. Run on a release as the README of
 * {@code src/test/resources/migration} says. It uses only what every release since the first frozen one has, so that
 * it compiles on the release being frozen.
 */
class StateSnapshotWriter {

    static final String DIR_PROPERTY = "lipsync.snapshot.dir";
    static final Path MIGRATION = Path.of("src/test/resources/migration");
    /** The live video every release's decoder and scorer snapshots are made of, shared so it is stored once. */
    static final String MEDIA = "live-video";
    static final String LIVE = "live";
    static final String DECODER_SNAPSHOT = "chunk-decoder.snapshot";
    static final String DECODER_PROPERTIES = "chunk-decoder.properties";
    static final String SCORER_SNAPSHOT = "window-scorer.snapshot";
    static final String AGGREGATOR_SNAPSHOT = "verdict-aggregator.snapshot";
    /** Processing time (ms) at which the snapshots are taken. */
    static final long SNAPSHOT_AT_MS = 1_000_000;
    /** The decoder's windows the scorer holds in flight in its snapshot. */
    static final int SCORER_WINDOWS = 2;

    @Test
    @EnabledIfSystemProperty(named = DIR_PROPERTY, matches = ".+")
    void write(@TempDir Path tmp) throws Exception {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY)).toAbsolutePath();
        Files.createDirectories(dir);
        Path media = dir.getParent().getParent().resolve(MEDIA);
        if (!Files.exists(media)) {
            writeMedia(media, tmp);
        }
        List<AvWindow> cut = writeDecoder(dir, chunks(media));
        writeScorer(dir, scorerInput(cut));
        writeAggregator(dir);
    }

    static JobConfig config() {
        return JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> decoder() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new ChunkDecoder(config())),
                MediaChunk::videoId, Types.STRING);
    }

    /** The scoring operator as the workflow builds it, under {@code config}. */
    static OneInputStreamOperatorTestHarness<AvWindow, ScoredWindow> scorer(JobConfig config) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(new WindowScorer(config), config.scoreTimeout().toMillis(),
                        config.asyncCapacity(), AsyncDataStream.OutputMode.ORDERED),
                TypeInformation.of(AvWindow.class).createSerializer(new SerializerConfigImpl()),
                new MockEnvironmentBuilder().build());
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ScoredWindow, Verdict> aggregator() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new VerdictAggregator(config())),
                ScoredWindow::videoId, Types.STRING);
    }

    /** A 6 s talking head as 1 s MPEG-TS chunks, with what a producer's headers say of each. */
    static void writeMedia(Path media, Path tmp) throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(61, 6));
        List<MediaChunk> chunks = MediaChunker.chunk(clip, LIVE, 1.0, "ts",
                Files.createDirectories(tmp.resolve("parts")));
        Files.createDirectories(media);
        Properties p = new Properties();
        p.setProperty("chunks", Integer.toString(chunks.size()));
        for (MediaChunk c : chunks) {
            Files.write(media.resolve(chunkFile(c.sequence())), c.payload());
            p.setProperty("chunk." + c.sequence() + ".contentType", c.contentType());
            p.setProperty("chunk." + c.sequence() + ".mediaStartUs", Long.toString(c.mediaStartUs()));
            p.setProperty("chunk." + c.sequence() + ".last", Boolean.toString(c.last()));
        }
        store(p, media.resolve("chunks.properties"));
    }

    static List<MediaChunk> chunks(Path media) throws Exception {
        Properties p = load(media.resolve("chunks.properties"));
        List<MediaChunk> chunks = new ArrayList<>();
        int n = Integer.parseInt(p.getProperty("chunks"));
        for (int i = 0; i < n; i++) {
            chunks.add(new MediaChunk(LIVE, i, Boolean.parseBoolean(p.getProperty("chunk." + i + ".last")),
                    p.getProperty("chunk." + i + ".contentType"),
                    Long.parseLong(p.getProperty("chunk." + i + ".mediaStartUs")),
                    Files.readAllBytes(media.resolve(chunkFile(i))), null, 0));
        }
        return chunks;
    }

    static String chunkFile(long sequence) {
        return "chunk-" + sequence + ".ts";
    }

    /** The chunk a live stream is still waiting for when the decoder's snapshot is taken. */
    static long withheld(int chunks) {
        return chunks - 2;
    }

    /**
     * All chunks but the second to last one sent: the decoder has cut the windows of the first ones, holds the last
     * chunk back and waits for the missing one. Returns the windows cut.
     */
    static List<AvWindow> writeDecoder(Path dir, List<MediaChunk> chunks) throws Exception {
        try (var h = decoder()) {
            h.open();
            h.setProcessingTime(SNAPSHOT_AT_MS - 200);
            sendAllBut(h, chunks, withheld(chunks.size()));
            List<AvWindow> out = List.copyOf(h.extractOutputValues());
            Properties p = new Properties();
            p.setProperty("eventsBefore", Integer.toString(out.size()));
            store(p, dir.resolve(DECODER_PROPERTIES));
            OperatorSnapshotUtil.writeStateHandle(h.snapshot(1L, SNAPSHOT_AT_MS),
                    dir.resolve(DECODER_SNAPSHOT).toString());
            return out;
        }
    }

    /** Sends every chunk but {@code skip} and gives the decoder processing time until {@link #SNAPSHOT_AT_MS}. */
    static void sendAllBut(KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> h,
            List<MediaChunk> chunks, long skip) throws Exception {
        for (MediaChunk c : chunks) {
            if (c.sequence() != skip) {
                h.processElement(c, 0);
            }
        }
        // a decode step per millisecond; far fewer than 200 are needed, and no wait for the missing chunk runs out
        while (h.getProcessingTime() < SNAPSHOT_AT_MS) {
            h.setProcessingTime(h.getProcessingTime() + 1);
        }
    }

    /** What the scorer holds in flight: the decoder's first windows and an error event of the same video. */
    static List<AvWindow> scorerInput(List<AvWindow> cut) {
        List<AvWindow> in = new ArrayList<>(cut.subList(0, SCORER_WINDOWS));
        in.add(AvWindow.error(LIVE, 9, "chunk 9 could not be decoded: frozen with the scorer", 0));
        return in;
    }

    /** The scorer with its input in flight: a batch that waits ten minutes for more windows is never sent. */
    static void writeScorer(Path dir, List<AvWindow> in) throws Exception {
        try (var h = scorer(config().withBatching(64, Duration.ofMinutes(10)))) {
            h.open();
            synchronized (h.getCheckpointLock()) {
                for (AvWindow w : in) {
                    h.processElement(w, 0);
                }
                OperatorSnapshotUtil.writeStateHandle(h.snapshot(1L, SNAPSHOT_AT_MS),
                        dir.resolve(SCORER_SNAPSHOT).toString());
            }
            if (!h.extractOutputValues().isEmpty()) {
                throw new IllegalStateException("the scorer sent windows before its snapshot");
            }
        }
    }

    /**
     * Three videos in the aggregator: {@code open} halfway through, {@code waiting} ended with a window still on
     * its way (two behind it kept early), {@code done} with its FINAL sent.
     */
    static void writeAggregator(Path dir) throws Exception {
        try (var h = aggregator()) {
            sendEventsBefore(h);
            OperatorSnapshotUtil.writeStateHandle(h.snapshot(1L, SNAPSHOT_AT_MS),
                    dir.resolve(AGGREGATOR_SNAPSHOT).toString());
        }
    }

    /** Opens {@code h} and brings it to the snapshot's moment: the three videos' events, the clock at the snapshot. */
    static void sendEventsBefore(KeyedOneInputStreamOperatorTestHarness<String, ScoredWindow, Verdict> h)
            throws Exception {
        h.open();
        h.setProcessingTime(SNAPSHOT_AT_MS - 100);
        for (ScoredWindow w : aggregatorEventsBefore()) {
            h.processElement(w, 0);
        }
        h.setProcessingTime(SNAPSHOT_AT_MS);
    }

    static List<ScoredWindow> aggregatorEventsBefore() {
        List<ScoredWindow> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(window("open", i, 0.1, 0));
        }
        for (int i = 0; i < 6; i++) {
            if (i != 3) {
                events.add(window("waiting", i, 0.9, 10));
            }
        }
        events.add(end("waiting", 6));
        for (int i = 0; i < 6; i++) {
            events.add(window("done", i, 0.1, 0));
        }
        events.add(end("done", 6));
        return events;
    }

    /** A scored window whose lag curve peaks at {@code lag} frames. */
    static ScoredWindow window(String videoId, int index, double score, int lag) {
        float[] curve = new float[31];
        for (int i = 0; i < curve.length; i++) {
            curve[i] = (float) (0.6 - 0.05 * Math.abs(i - 15 - lag));
        }
        return new ScoredWindow(videoId, WindowKind.WINDOW, index, index * 400L, index * 400L + 2000,
                ScoreStatus.SCORED, score, lag, 0.4, curve, 1, 1, 0, true, null, 0);
    }

    static ScoredWindow end(String videoId, int windows) {
        return new ScoredWindow(videoId, WindowKind.END, windows, 0, (windows - 1) * 400L + 2000, ScoreStatus.CONTROL,
                Double.NaN, 0, Double.NaN, new float[0], 1, 1, 0, true, null, 0);
    }

    static Properties load(Path file) throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    static void store(Properties p, Path file) throws Exception {
        try (OutputStream os = Files.newOutputStream(file)) {
            p.store(os, null);
        }
    }
}
