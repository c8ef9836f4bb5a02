package io.lipsyncguard.job.media;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkContentTypes;
import io.lipsyncguard.connectors.kafka.ErrorRecord;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.VideoBuffer;
import io.lipsyncguard.job.window.WindowCutter;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes the chunks of each video in sequence order and cuts its audio-visual windows: reorders chunks within a
 * bound, drops duplicates, reports gaps and undecodable chunks (as ERROR events and on the {@link #ERRORS} side
 * output), and emits one END event per video, on its last chunk or after the idle timeout.
 */
public class ChunkDecoder extends KeyedProcessFunction<String, MediaChunk, AvWindow> {

    /** Dead-letter output: every chunk that could not be used, with the reason. */
    public static final OutputTag<ErrorRecord> ERRORS = new OutputTag<>("chunk-errors") {};

    /** Chunks held while waiting for a missing sequence number; beyond this the gap is reported and skipped. */
    public static final int MAX_PENDING_CHUNKS = 16;

    /** A referenced file is decoded (and its windows cut) this many video frames at a time: 10 s at 25 fps. */
    static final int FILE_SEGMENT_FRAMES = 250;

    private final JobConfig config;
    private transient ValueState<VideoBuffer> buffer;
    private transient MapState<Long, MediaChunk> pending;
    private transient WindowSpec spec;
    private transient MediaSpec mediaSpec;
    private transient float[][] filterbank;
    private transient Counter chunksDecoded;
    private transient Counter chunkErrors;
    private transient Counter duplicates;
    private transient Counter windowsEmitted;

    public ChunkDecoder(JobConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        ModelManifest manifest = ModelManifest.readValid(config.manifestPath());
        spec = WindowSpec.fromManifest(manifest);
        mediaSpec = spec.mediaSpec(config.detectEveryFrames(), config.detectSide());
        filterbank = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(), spec.fMax());
        buffer = getRuntimeContext().getState(
                config.withStateTtl(new ValueStateDescriptor<>("video-buffer", VideoBuffer.class)));
        pending = getRuntimeContext().getMapState(
                config.withStateTtl(new MapStateDescriptor<>("pending-chunks", Long.class, MediaChunk.class)));
        var group = getRuntimeContext().getMetricGroup();
        chunksDecoded = group.counter("chunksDecoded");
        chunkErrors = group.counter("chunkErrors");
        duplicates = group.counter("chunksDuplicate");
        windowsEmitted = group.counter("windowsEmitted");
    }

    @Override
    public void processElement(MediaChunk chunk, Context ctx, Collector<AvWindow> out) throws Exception {
        VideoBuffer b = buffer.value();
        if (b == null) {
            b = new VideoBuffer();
        }
        if (b.ended) {
            duplicates.inc();
            error(ctx, out, chunk, chunk.sequence(), "sequence",
                    "chunk " + chunk.sequence() + " arrived after the video ended; ignored");
            return;
        }
        if (chunk.sequence() < b.nextSequence || pending.contains(chunk.sequence())) {
            duplicates.inc();
            return; // a redelivered chunk: its content is already in the windows
        }
        b.lastActivityMs = ctx.timerService().currentProcessingTime();
        pending.put(chunk.sequence(), chunk);
        drain(b, ctx, out, false);
        if (!b.ended) {
            scheduleIdle(b, ctx);
            buffer.update(b);
        }
    }

    /** Processes pending chunks in sequence; skips a gap when too many chunks wait behind it or when forced. */
    private void drain(VideoBuffer b, Context ctx, Collector<AvWindow> out, boolean force) throws Exception {
        while (true) {
            MediaChunk next = pending.get(b.nextSequence);
            if (next == null) {
                List<Long> waiting = new ArrayList<>();
                for (Long k : pending.keys()) {
                    waiting.add(k);
                }
                if (waiting.isEmpty() || (!force && waiting.size() <= MAX_PENDING_CHUNKS)) {
                    return;
                }
                long first = waiting.stream().min(Long::compare).orElseThrow();
                error(ctx, out, null, b.nextSequence, "sequence", "chunks " + b.nextSequence + ".." + (first - 1)
                        + " never arrived; continuing at chunk " + first);
                b.gaps++;
                b.nextSequence = first;
                continue;
            }
            pending.remove(b.nextSequence);
            b.nextSequence++;
            accept(b, next, ctx, out);
            if (next.last()) {
                finish(b, ctx, out, null);
                return;
            }
        }
    }

    private void accept(VideoBuffer b, MediaChunk chunk, Context ctx, Collector<AvWindow> out) {
        b.newestProducedAtMs = Math.max(b.newestProducedAtMs, chunk.producedAtMs());
        if (ChunkContentTypes.isInvalid(chunk)) {
            ErrorRecord e = ErrorRecord.forInvalidChunk(chunk, ctx.timerService().currentProcessingTime());
            error(ctx, out, chunk, chunk.sequence(), e.stage(), e.reason());
            return;
        }
        if (!chunk.isReference() && chunk.inlineSize() > config.maxInlineBytes()) {
            error(ctx, out, chunk, chunk.sequence(), "size", "chunk " + chunk.sequence() + " has " + chunk.inlineSize()
                    + " bytes, over the limit of " + config.maxInlineBytes());
            return;
        }
        if (chunk.isReference() && (chunk.uri() == null || chunk.uri().isBlank())) {
            error(ctx, out, chunk, chunk.sequence(), "reference",
                    "chunk " + chunk.sequence() + " has neither bytes nor a uri");
            return;
        }
        // windows are cut as the decode goes: a long referenced file is decoded in segments, so it never sits in
        // memory whole and its windows flow (under backpressure) while it decodes
        MediaFeatureExtractor.SegmentSink cutWindows = features -> {
            WindowCutter.append(b, features, spec);
            WindowCutter.computeMel(b, spec, filterbank, false);
            emit(WindowCutter.cut(b, spec, ctx.getCurrentKey()), out);
        };
        try {
            decode(b, chunk, cutWindows);
        } catch (MediaFeatureExtractor.SegmentSinkException e) {
            throw e; // the windows' way downstream failed: a job failure, not a bad chunk
        } catch (MediaDecodeException | IOException | RuntimeException e) {
            error(ctx, out, chunk, chunk.sequence(), "decode",
                    "chunk " + chunk.sequence() + " undecodable: " + e.getMessage());
            return;
        }
        chunksDecoded.inc();
        b.decodedChunks++;
    }

    private void decode(VideoBuffer b, MediaChunk chunk, MediaFeatureExtractor.SegmentSink sink)
            throws MediaDecodeException, IOException {
        long origin = b.originUs;
        long firstAt = 0;
        if (chunk.mediaStartUs() != MediaChunk.UNKNOWN_START) {
            // the producer's clock beats container timestamps, which self-contained segments restart at zero
            if (b.firstMediaStartUs == Long.MIN_VALUE) {
                b.firstMediaStartUs = chunk.mediaStartUs();
            }
            origin = MediaFeatureExtractor.ORIGIN_FROM_MEDIA;
            firstAt = chunk.mediaStartUs() - b.firstMediaStartUs;
        } else if (origin == Long.MIN_VALUE) {
            origin = MediaFeatureExtractor.ORIGIN_FROM_MEDIA;
        }
        // the track advances only when the chunk decodes: a rejected chunk leaves it where the last good one did
        FaceTrackState track = b.track.copy();
        decodeWith(chunk, origin, firstAt, track, sink);
        b.track = track;
    }

    private void decodeWith(MediaChunk chunk, long origin, long firstAt, FaceTrackState track,
            MediaFeatureExtractor.SegmentSink sink) throws MediaDecodeException, IOException {
        if (!chunk.isReference()) {
            MediaFeatureExtractor.sink(sink, MediaFeatureExtractor.extract(chunk.payload(),
                    ChunkFormats.ffmpegFormat(chunk.contentType()), mediaSpec, origin, firstAt, track));
            return;
        }
        Path local = localPath(chunk.uri());
        if (local != null) {
            MediaFeatureExtractor.extractInSegments(local, mediaSpec, origin, firstAt, track, FILE_SEGMENT_FRAMES,
                    sink);
            return;
        }
        // other file systems (s3://, hdfs://, ...) through Flink's plugins: copy to a temp file FFmpeg can seek in
        org.apache.flink.core.fs.Path remote = new org.apache.flink.core.fs.Path(chunk.uri());
        Path tmp = Files.createTempFile("lipsync-chunk", ".media");
        try (InputStream in = FileSystem.get(remote.toUri()).open(remote)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            MediaFeatureExtractor.extractInSegments(tmp, mediaSpec, origin, firstAt, track, FILE_SEGMENT_FRAMES, sink);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static Path localPath(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri));
        }
        return uri.contains("://") ? null : Path.of(uri);
    }

    private void finish(VideoBuffer b, Context ctx, Collector<AvWindow> out, String forcedReason) throws Exception {
        WindowCutter.computeMel(b, spec, filterbank, true);
        emit(WindowCutter.cut(b, spec, ctx.getCurrentKey()), out);
        String reason = forcedReason;
        if (reason == null) {
            if (!b.hasVideo && !b.hasAudio) {
                reason = "undecodable";
            } else if (!b.hasVideo) {
                reason = "no-video";
            } else if (!b.hasAudio) {
                reason = "no-audio";
            } else if (b.nextWindow == 0) {
                reason = "too-short";
            }
        }
        double frames = Math.max(1, b.videoFrames());
        double levels = Math.max(1, b.levelFrames);
        out.collect(AvWindow.end(ctx.getCurrentKey(), b.nextWindow, spec.frameToMs(b.videoFrames()),
                b.faceFrames / frames, b.speechFrames / levels, b.multiFaceFrames / frames, b.hasAudio, reason,
                b.newestProducedAtMs));
        if (b.idleTimerMs > 0) {
            ctx.timerService().deleteProcessingTimeTimer(b.idleTimerMs);
        }
        pending.clear();
        // keep a tombstone so late duplicates of this video are recognised instead of starting a new one
        VideoBuffer tomb = new VideoBuffer();
        tomb.ended = true;
        tomb.nextSequence = b.nextSequence;
        buffer.update(tomb);
        b.ended = true;
    }

    private void scheduleIdle(VideoBuffer b, Context ctx) {
        if (config.idleTimeout() == null || config.idleTimeout().isZero()) {
            return;
        }
        long due = b.lastActivityMs + config.idleTimeout().toMillis();
        // one timer per video: re-arm lazily from onTimer instead of deleting and adding on every chunk
        if (b.idleTimerMs <= 0) {
            b.idleTimerMs = due;
            ctx.timerService().registerProcessingTimeTimer(due);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AvWindow> out) throws Exception {
        VideoBuffer b = buffer.value();
        if (b == null || b.ended || timestamp != b.idleTimerMs) {
            return;
        }
        long due = b.lastActivityMs + config.idleTimeout().toMillis();
        if (due > timestamp) {
            b.idleTimerMs = due;
            ctx.timerService().registerProcessingTimeTimer(due);
            buffer.update(b);
            return;
        }
        b.idleTimerMs = 0;
        drain(b, ctx, out, true);
        if (!b.ended) {
            finish(b, ctx, out, "idle");
        }
    }

    private void emit(List<AvWindow> windows, Collector<AvWindow> out) {
        for (AvWindow w : windows) {
            out.collect(w);
        }
        windowsEmitted.inc(windows.size());
    }

    private void error(Context ctx, Collector<AvWindow> out, MediaChunk chunk, long sequence, String stage,
            String reason) {
        chunkErrors.inc();
        long now = ctx.timerService().currentProcessingTime();
        ctx.output(ERRORS, new ErrorRecord(ctx.getCurrentKey(), sequence, stage, reason, now));
        out.collect(AvWindow.error(ctx.getCurrentKey(), sequence, reason, chunk == null ? 0 : chunk.producedAtMs()));
    }
}
