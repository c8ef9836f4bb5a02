package io.lipsyncguard.job.media;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkContentTypes;
import io.lipsyncguard.connectors.kafka.ErrorRecord;
import io.lipsyncguard.connectors.kafka.ReferencePolicy;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.VideoBuffer;
import io.lipsyncguard.job.window.WindowCutter;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the chunks of each video in sequence order and cuts its audio-visual windows: reorders chunks within a
 * bound, drops duplicates, reports gaps and undecodable chunks (as ERROR events and on the {@link #ERRORS} side
 * output), refuses chunks beyond a bound of bytes waiting behind a long decode, and emits one END event per video, on
 * its last chunk or after the idle timeout. A referenced file is
 * decoded one segment per step (a processing-time timer), one file at a time per subtask, and so is an inline chunk
 * beyond its first ten seconds, so checkpoints and other videos' chunks get through while they decode; the progress
 * is keyed state, and a restored job decodes the segments already cut again and skips them, so the windows come out
 * as from one uninterrupted decode.
 */
public class ChunkDecoder extends KeyedProcessFunction<String, MediaChunk, AvWindow> {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkDecoder.class);

    /** Dead-letter output: every chunk that could not be used, with the reason. */
    public static final OutputTag<ErrorRecord> ERRORS = new OutputTag<>("chunk-errors") {};

    /** Chunks held while waiting for a missing sequence number; beyond this the gap is reported and skipped. */
    public static final int MAX_PENDING_CHUNKS = 16;

    /** What a waiting chunk costs in state beside its payload: its entry, fields and serializer overhead. */
    static final int PENDING_ENTRY_BYTES = 1024;

    /**
     * What a chunk waiting in state counts against {@link JobConfig#maxBacklogBytes()}: its payload, or its reference's
     * URI, and the entry. Counted by payload alone, references and empty chunks could pile up without end behind a
     * long decode.
     */
    static long backlogBytes(MediaChunk chunk) {
        return chunk.inlineSize() + (chunk.uri() == null ? 0 : chunk.uri().length()) + PENDING_ENTRY_BYTES;
    }

    /**
     * Without interleaving (a bounded job, {@code analyze}) chunks and referenced files are decoded, and their windows
     * cut, this many video frames at a time, 10 s at 25 fps, so memory does not grow with their length (a small chunk
     * of a still picture can hold hours); the streaming job takes {@link #STEP_FRAMES} a step.
     */
    static final int SEGMENT_FRAMES = 250;

    /**
     * In the streaming job a referenced file is decoded this many frames per step (1 s of video, about a tenth of a
     * second of work): between two steps the subtask takes one input record, so a live stream's chunk waits about a
     * step, and a checkpoint barrier too.
     */
    static final int STEP_FRAMES = 25;

    /**
     * Segments of an inline chunk decoded when it arrives, before the rest goes a step at a time: 10 s, more than a
     * live chunk holds, so live streams see no step at all.
     */
    static final int INLINE_FIRST_SEGMENTS = 10;

    /** How long a video whose file waits for this subtask's decoder (busy with another file) waits between tries. */
    static final long STEP_RETRY_MS = 100;
    /** Disk space a referenced file's temporary copy leaves free at least (see {@link #tooLargeForTempSpace}). */
    static final long TEMP_RESERVE_BYTES = 2L << 30;

    /** Refused sequence numbers remembered per video; beyond them a refused chunk reads as a gap later. */
    static final int MAX_REFUSED = 1024;

    /** A waiting video that has not asked for the file decoder for this long has left the queue. */
    static final long FILE_QUEUE_STALE_MS = 10 * STEP_RETRY_MS;

    private final JobConfig config;
    /** The allowed prefixes of referenced files, or null when the source is trusted. */
    private final ReferencePolicy references;
    /** The current model's window geometry, as buffers record it. */
    private transient String geometry;
    private transient ValueState<VideoBuffer> buffer;
    private transient MapState<Long, MediaChunk> pending;
    private transient ValueState<MediaChunk> decodingChunk;
    private transient WindowSpec spec;
    private transient MediaSpec mediaSpec;
    private transient float[][] filterbank;
    private transient Counter chunksDecoded;
    private transient Counter chunkErrors;
    private transient Counter duplicates;
    private transient Counter windowsEmitted;
    /** The one referenced file this subtask has open; natives, so never state: a restored job reopens the file. */
    private transient OpenDecode openFile;
    /** Inline chunks longer than {@link #INLINE_FIRST_SEGMENTS} segments being decoded, by video. */
    private transient Map<String, OpenDecode> openChunks;
    /** Copies remote references to the local disk, one at a time, off the task thread. */
    private transient ExecutorService copier;
    /** The video whose remote file is being copied, and the copy; null when none. */
    private transient String copyingKey;
    private transient CompletableFuture<RemoteCopy> copying;
    /** Wall-clock time the copy in progress began or last got data. */
    private transient AtomicLong copyProgressMs;
    /** Processing time of this instance's first element or timer: idleness is counted from it at the earliest. */
    private transient long firstCallMs;
    /**
     * Videos whose file waits for {@link #openFile}, in the order they first asked, with when each last asked: the
     * decoder goes to the longest waiting, not to whichever retry timer happens to fire first.
     */
    private transient LinkedHashMap<String, Long> fileQueue;

    public ChunkDecoder(JobConfig config) {
        this(config, null);
    }

    /**
     * A decoder that opens referenced local files only where {@code references} allows them, checked again as each
     * is opened; null for a trusted source (the files {@code analyze} is given).
     */
    public ChunkDecoder(JobConfig config, ReferencePolicy references) {
        this.references = references;
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        ModelManifest manifest = ModelManifest.readValid(config.manifestPath());
        spec = WindowSpec.fromManifest(manifest);
        geometry = spec.geometry();
        mediaSpec = spec.mediaSpec(config.detectEveryFrames(), config.detectSide());
        filterbank = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(), spec.fMax());
        buffer = getRuntimeContext().getState(bufferDescriptor(config));
        pending = getRuntimeContext().getMapState(
                config.withStateTtl(new MapStateDescriptor<>("pending-chunks", Long.class, MediaChunk.class)));
        decodingChunk = getRuntimeContext().getState(
                config.withStateTtl(new ValueStateDescriptor<>("decoding-chunk", MediaChunk.class)));
        var group = getRuntimeContext().getMetricGroup();
        chunksDecoded = group.counter("chunksDecoded");
        chunkErrors = group.counter("chunkErrors");
        duplicates = group.counter("chunksDuplicate");
        windowsEmitted = group.counter("windowsEmitted");
        openChunks = new HashMap<>();
        fileQueue = new LinkedHashMap<>();
        firstCallMs = Long.MIN_VALUE; // set here: a transient field's initialiser does not run on deserialisation
        copier = newCopier();
    }

    static ValueStateDescriptor<VideoBuffer> bufferDescriptor(JobConfig config) {
        return config.withStateTtl(new ValueStateDescriptor<>("video-buffer", VideoBuffer.class));
    }

    /** The thread that copies remote referenced files, one at a time. */
    private static ExecutorService newCopier() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lipsync-reference-copy");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void processElement(MediaChunk chunk, Context ctx, Collector<AvWindow> out) throws Exception {
        noteFirstCall(ctx.timerService().currentProcessingTime());
        VideoBuffer b = buffer.value();
        if (b == null) {
            b = new VideoBuffer();
            b.geometry = geometry;
        }
        if (!b.ended && geometryChanged(b, ctx, out)) {
            b = buffer.value(); // the tombstone: this chunk is reported as one after the end
        }
        if (b.ended) {
            duplicates.inc();
            // the error topic only: the verdict is out, and an error event would start the aggregator on a video that
            // never ends (kept until the state TTL, each late chunk renewing it)
            reportIgnored(ctx, chunk, "arrived after the video ended; ignored");
            // written again (a few bytes) so the tombstone lasts while late chunks come: expired, the next one
            // started the video anew and, in the end, gave it a second FINAL verdict
            buffer.update(b);
            return;
        }
        if (chunk.sequence() == ChunkContentTypes.UNKNOWN_SEQUENCE && ChunkContentTypes.isInvalid(chunk)) {
            unplaceable(b, chunk, ctx, out);
            return;
        }
        boolean waiting = chunk.sequence() >= b.nextSequence && pending.contains(chunk.sequence());
        if (chunk.sequence() < b.nextSequence || waiting) {
            duplicates.inc();
            // the record tells a producer that resent the chunk, or one that started its stream over under the same
            // id, that this copy was not used; behind the sequence it may also be one reported missing or refused
            // before, whose place has passed
            reportIgnored(ctx, chunk, waiting
                    ? "was already received and waits to be decoded; this copy is ignored"
                    : "came after the video had gone past it (a copy of a chunk already used, or one reported "
                            + "missing or refused); ignored");
            return;
        }
        b.lastActivityMs = ctx.timerService().currentProcessingTime();
        b.lastReceived |= chunk.last();
        if (oversized(chunk)) {
            // refused on arrival, in sequence or not: kept waiting for its turn, it alone would pass the backlog
            // bound and make the sequence give up the gap before it, dropping the good chunk that fills it
            refuse(b, chunk, ctx, out, "size", sizeRefusal(chunk));
            drain(b, ctx, out, false);
        } else if (b.decoding && b.pendingBytes + backlogBytes(chunk) > config.maxBacklogBytes()) {
            refuse(b, chunk, ctx, out); // a long decode must not let the chunks queued behind it grow without end
        } else {
            pending.put(chunk.sequence(), chunk);
            b.pendingBytes += backlogBytes(chunk);
            drain(b, ctx, out, false);
        }
        if (!b.ended) {
            scheduleIdle(b, ctx);
            buffer.update(b);
        }
    }

    /**
     * Processes pending chunks in sequence; skips a gap when too many chunks or bytes wait behind it, or when forced.
     */
    private void drain(VideoBuffer b, Context ctx, Collector<AvWindow> out, boolean force) throws Exception {
        while (true) {
            if (b.decoding) {
                return; // the chunks behind a file being decoded wait for it, in sequence
            }
            MediaChunk next = pending.get(b.nextSequence);
            if (next == null && refused(b, b.nextSequence)) {
                // its error record went out when it was refused: the sequence goes on without a gap report
                long passed = b.nextSequence++;
                b.refused = Arrays.stream(b.refused).filter(q -> q >= b.nextSequence).toArray();
                if (passed == b.refusedLast) {
                    finish(b, ctx, out, null);
                    return;
                }
                continue;
            }
            if (next == null) {
                List<Long> waiting = new ArrayList<>();
                for (Long k : pending.keys()) {
                    waiting.add(k);
                }
                // forced, a gap before a last chunk that was refused is given up too: the video ends there, as
                // when the chunks before it come, not as a stream that stopped without its last chunk
                boolean toRefusedLast = force && waiting.isEmpty() && b.refusedLast >= b.nextSequence;
                // a gap is waited for while few chunks (by count and by bytes) wait behind it
                if ((waiting.isEmpty() && !toRefusedLast) || (!force && waiting.size() <= MAX_PENDING_CHUNKS
                        && b.pendingBytes <= config.maxBacklogBytes())) {
                    return;
                }
                long first = toRefusedLast ? b.refusedLast : waiting.stream().min(Long::compare).orElseThrow();
                if (first > b.nextSequence) {
                    error(b, ctx, out, null, b.nextSequence, "sequence", "chunks " + b.nextSequence + ".."
                            + (first - 1) + " never arrived; continuing at chunk " + first);
                    b.gaps++;
                    b.nextSequence = first;
                }
                if (toRefusedLast && !refused(b, first)) {
                    // not among the refused remembered (their number is bounded): passing it ends the video all
                    // the same
                    b.nextSequence = first + 1;
                    finish(b, ctx, out, null);
                    return;
                }
                continue;
            }
            pending.remove(b.nextSequence);
            // a state from before the count (0), or from before references counted too, goes no lower than 0
            b.pendingBytes = Math.max(0, b.pendingBytes - backlogBytes(next));
            b.nextSequence++;
            if (!accept(b, next, ctx, out)) {
                return; // a long chunk or a file: it decodes on in later steps, which carry on from here
            }
            if (next.last()) {
                finish(b, ctx, out, null);
                return;
            }
        }
    }

    /** Uses one chunk in sequence; false when its decode (a file's, a long chunk's) goes on in later steps. */
    private boolean accept(VideoBuffer b, MediaChunk chunk, Context ctx, Collector<AvWindow> out) throws Exception {
        b.newestProducedAtMs = Math.max(b.newestProducedAtMs, chunk.producedAtMs());
        if (ChunkContentTypes.isInvalid(chunk)) {
            ErrorRecord e = ErrorRecord.forInvalidChunk(chunk, ctx.timerService().currentProcessingTime());
            error(b, ctx, out, chunk, chunk.sequence(), e.stage(), e.reason());
            return true;
        }
        if (oversized(chunk)) { // one that waited in a state from before chunks were refused on arrival
            error(b, ctx, out, chunk, chunk.sequence(), "size", sizeRefusal(chunk));
            return true;
        }
        if (chunk.isReference() && (chunk.uri() == null || chunk.uri().isBlank())) {
            error(b, ctx, out, chunk, chunk.sequence(), "reference",
                    "chunk " + chunk.sequence() + " has neither bytes nor a uri");
            return true;
        }
        long[] placement = placement(b, chunk);
        // decoded in segments, so a long chunk or file never sits in memory whole, and after the first few a segment
        // per step, so its decode never holds up a checkpoint or the subtask's other videos for long
        b.decoding = true;
        b.decodingFile = chunk.isReference();
        b.decodingLast = chunk.last();
        b.decodingSegments = 0;
        b.decodingSegmentFrames = config.interleaveDecodes() ? STEP_FRAMES : SEGMENT_FRAMES;
        b.decodingFileBytes = -1;
        // the track advances only when the chunk decodes: a rejected chunk leaves it where the last good one did
        b.decodingTrack = b.track.copy();
        b.decodingOriginUs = placement[0];
        b.decodingFirstAtUs = placement[1];
        return step(b, chunk, ctx, out, chunk.isReference() ? 1 : INLINE_FIRST_SEGMENTS);
    }

    /**
     * Where a chunk's first frame goes, {origin, first-frame time}: the producer's clock when the headers carry it
     * (self-contained segments restart their timestamps at zero), else the media's own timestamps.
     */
    private static long[] placement(VideoBuffer b, MediaChunk chunk) {
        long origin = b.originUs;
        long firstAt = 0;
        if (chunk.mediaStartUs() != MediaChunk.UNKNOWN_START) {
            if (b.firstMediaStartUs == Long.MIN_VALUE) {
                b.firstMediaStartUs = chunk.mediaStartUs();
            }
            origin = MediaFeatureExtractor.ORIGIN_FROM_MEDIA;
            firstAt = chunk.mediaStartUs() - b.firstMediaStartUs;
        } else if (origin == Long.MIN_VALUE) {
            origin = MediaFeatureExtractor.ORIGIN_FROM_MEDIA;
        }
        return new long[] {origin, firstAt};
    }

    /**
     * Checks where the first piece of a chunk lands against where the video has got to. A chunk whose timestamps
     * jumped (an encoder restart or a wrapped clock sends them back; a wrong media-start header anywhere) would
     * otherwise overwrite frames already cut, or make the buffer reach for hours of empty frames; it is placed at the
     * end instead, with everything after it, and an error record says so.
     */
    private void rebaseJump(VideoBuffer b, MediaFeatures first, MediaChunk chunk, Context ctx,
            Collector<AvWindow> out) {
        boolean video = first.hasVideo() && first.frameCount() > 0;
        if (!video && first.audio().length == 0) {
            return; // nothing to place
        }
        int spf = spec.samplesPerFrame();
        long landed = b.gridShift + (video ? first.firstFrame() : Math.floorDiv(first.audioStartSample(), spf));
        long maxGap = MediaFeatureExtractor.MAX_TIMESTAMP_GAP_MS * spec.fps() / 1000;
        if (b.videoFrames() == 0 && b.audioEnd() == 0) {
            // the first piece of the video defines where it starts: after chunks that did not decode, by its
            // media-start header, as far in as a gap may be; an hour in, the buffer would reach for an hour of
            // empty frames (a header of the first chunk, which did not decode, unlike this one's, is no clock)
            if (landed <= maxGap) {
                return;
            }
            b.gridShift -= landed;
            error(b, ctx, out, chunk, chunk.sequence(), "timestamps", String.format(java.util.Locale.ROOT,
                    "chunk %d is the first to decode, but its timestamps place it at %.1f s of the video: placed at "
                            + "0.0 s instead", chunk.sequence(), spec.frameToMs(landed) / 1000.0));
            return;
        }
        long videoEnd = b.videoFrames();
        long audioEnd = Math.floorDiv(b.audioEnd() + spf - 1, spf);
        // measured against its own stream, and ahead only against the stream that got furthest: a stream that
        // stalled (a lost camera, an unplugged microphone) and comes back lands where the other has got to, and the
        // live stream's pieces must not be measured against the stalled one's end
        boolean own = video ? b.hasVideo : b.hasAudio;
        long end = own ? (video ? videoEnd : audioEnd) : (video ? audioEnd : videoEnd);
        long frontier = Math.max(b.hasVideo ? videoEnd : 0, b.hasAudio ? audioEnd : 0);
        // between chunks the limits of MediaFeatureExtractor hold as within one: lost chunks leave a real gap
        long maxOverlap = MediaFeatureExtractor.MAX_TIMESTAMP_OVERLAP_MS * spec.fps() / 1000;
        if (landed - Math.max(end, frontier) <= maxGap && end - landed <= maxOverlap) {
            return;
        }
        b.gridShift += end - landed;
        error(b, ctx, out, chunk, chunk.sequence(), "timestamps", String.format(java.util.Locale.ROOT,
                "chunk %d starts at %.1f s of the video by its timestamps, but the video had got to %.1f s: its "
                        + "timestamps jumped; placed at %.1f s instead", chunk.sequence(),
                spec.frameToMs(landed) / 1000.0, spec.frameToMs(end) / 1000.0, spec.frameToMs(end) / 1000.0));
    }

    /** Appends decoded features to the video's buffer and sends on the windows that are complete. */
    private void cut(VideoBuffer b, MediaFeatures features, Context ctx, Collector<AvWindow> out) {
        features = features.shifted(b.gridShift, spec.samplesPerFrame());
        WindowCutter.append(b, features, spec);
        WindowCutter.computeMel(b, spec, filterbank, false);
        emit(WindowCutter.cut(b, spec, ctx.getCurrentKey()), out);
    }

    /**
     * Decodes up to {@code segments} more segments of the chunk or file the video is decoding (all of them when
     * decodes are not interleaved) and cuts their windows; true once it is done (decoded, or failed with an error
     * record), false when a step timer will go on with it. While another video's file holds this subtask's file
     * decoder, a file only waits; inline chunks have decoders of their own (16 MiB at most each).
     */
    private boolean step(VideoBuffer b, MediaChunk arriving, Context ctx, Collector<AvWindow> out, int segments)
            throws Exception {
        String key = ctx.getCurrentKey();
        long now = ctx.timerService().currentProcessingTime();
        b.lastActivityMs = now; // decoding (or waiting to) is not idleness
        if (b.decodingFile && !takesFileDecoder(key, now)) {
            // written again while it waits (a reference: a few hundred bytes), so that a queue longer than the state
            // TTL does not expire the chunk its video is waiting to decode
            keepForSteps(arriving != null ? arriving : decodingChunk.value());
            scheduleStep(b, ctx, now + STEP_RETRY_MS);
            return false;
        }
        OpenDecode open = b.decodingFile ? openFile : openChunks.get(key);
        // the chunk: the one arriving, the open decode's, or (after a restore, or a file that waited) the state's
        MediaChunk chunk = arriving != null ? arriving : open != null ? open.chunk : decodingChunk.value();
        if (chunk == null) {
            // defensive: the chunk expired from state while its video's buffer (written at every step) did not
            long sequence = b.nextSequence - 1;
            endDecode(b, key);
            error(b, ctx, out, null, sequence, "decode", "chunk " + sequence + " was lost: it expired from state (the "
                    + "state TTL is " + config.stateTtl() + ") before its decode went on");
            return true;
        }
        RemoteCopy copied = null;
        if (open == null && chunk.isReference() && localPath(chunk.uri()) == null) {
            // the copy of a remote file runs beside the task thread: copied on it, a large upload held up every
            // other video of the subtask and the checkpoints, and one longer than the checkpoint timeout failed the
            // job, whose restart copied it again
            if (copying == null) {
                String uri = chunk.uri();
                copyingKey = key;
                AtomicLong progress = new AtomicLong(System.currentTimeMillis());
                copyProgressMs = progress;
                copying = CompletableFuture.supplyAsync(() -> {
                    try {
                        return copyRemote(uri, progress);
                    } catch (IOException | MediaDecodeException e) {
                        throw new CompletionException(e);
                    }
                }, copier);
            }
            if (!copying.isDone()) {
                long stalledMs = System.currentTimeMillis() - copyProgressMs.get();
                long limitMs = copyStallLimitMs(config.idleTimeout());
                if (stalledMs > limitMs) {
                    // a read that hangs (an object store that stopped answering) would hold the copy thread, and
                    // every referenced file of the subtask behind it, for ever: the copy is given up with its thread
                    copier.shutdownNow();
                    copier = newCopier();
                    endDecode(b, key);
                    undecodable(b, ctx, out, chunk, new MediaDecodeException("its copy from " + chunk.uri()
                            + " received no data for " + stalledMs / 1000 + " s (" + (config.idleTimeout().isZero()
                                    ? "with no idle timeout, a copy waits at most " : "the idle timeout is ")
                            + limitMs / 1000 + " s); given up"));
                    return true;
                }
                keepForSteps(arriving);
                scheduleStep(b, ctx, now + STEP_RETRY_MS);
                return false;
            }
            CompletableFuture<RemoteCopy> done = copying;
            copying = null;
            copyingKey = null;
            try {
                copied = done.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                endDecode(b, key);
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                undecodable(b, ctx, out, chunk, cause instanceof Exception ex ? ex : new IOException(cause));
                return true;
            }
        }
        int budget = config.interleaveDecodes() ? segments : Integer.MAX_VALUE;
        for (int i = 0; i < budget; i++) {
            MediaFeatures segment;
            boolean replayed;
            try {
                if (open == null) {
                    // a restore replays the same segments: cut as long as the decode's first opening cut them
                    int segmentFrames = b.decodingSegmentFrames > 0 ? b.decodingSegmentFrames
                            : config.interleaveDecodes() ? STEP_FRAMES : SEGMENT_FRAMES;
                    open = OpenDecode.open(chunk, b, mediaSpec, segmentFrames, copied, references);
                    copied = null; // the decode owns the copy now
                    if (b.decodingFile) {
                        openFile = open;
                    } else {
                        openChunks.put(key, open);
                    }
                    if (b.decodingSegments > 0) {
                        LOG.info("video {}: reopened chunk {} after a restore; decoding again and skipping the {} "
                                + "segments already cut", key, chunk.sequence(), b.decodingSegments);
                    }
                    if (open.stamp != null) {
                        if (b.decodingFileBytes < 0) {
                            b.decodingFileBytes = open.stamp.bytes();
                            b.decodingFileModifiedMs = open.stamp.modifiedMs();
                        } else { // reopened after a restore: the windows cut before it came from this stamp's file
                            failIfChanged(new FileStamp(b.decodingFileBytes, b.decodingFileModifiedMs), open.stamp);
                        }
                    }
                } else if (i == 0 && open.local != null) {
                    // once a step (a stat is cheap); any change stops the decode, also a file replaced under a new
                    // inode that the open decode could still read: a restore would open the new one, and the result
                    // must not depend on whether one came between
                    FileStamp current;
                    try {
                        current = FileStamp.of(open.local);
                    } catch (java.nio.file.NoSuchFileException e) {
                        throw new MediaDecodeException("the referenced file was removed while it was being decoded");
                    }
                    failIfChanged(open.stamp, current);
                }
                segment = open.decode.next();
                // after a restore the segments already cut are decoded again (the decode is deterministic, so
                // they are the same) and skipped, a step each as well
                replayed = open.consumed++ < b.decodingSegments;
                if (replayed && segment == null) {
                    throw new MediaDecodeException("it now ends after " + (open.consumed - 1) + " segments, but "
                            + b.decodingSegments + " were decoded before the restart: the media changed");
                }
            } catch (MediaDecodeException | IOException | RuntimeException e) {
                endDecode(b, key);
                undecodable(b, ctx, out, chunk, e);
                return true;
            }
            if (replayed) {
                continue;
            }
            if (segment == null) {
                return decoded(b, key); // defensive: the final segment ends the decode as it is cut
            }
            if (b.decodingSegments == 0) {
                rebaseJump(b, segment, chunk, ctx, out);
            }
            cut(b, segment, ctx, out);
            b.decodingSegments++;
            if (open.decode.ended()) {
                return decoded(b, key);
            }
        }
        keepForSteps(arriving);
        // a millisecond on, not now: the timer service fires every timer due by the time it fires for in one go, so
        // a step due "now" would run in the same call and nothing would get in between
        scheduleStep(b, ctx, now + 1);
        return false;
    }

    private boolean oversized(MediaChunk chunk) {
        return !chunk.isReference() && !ChunkContentTypes.isInvalid(chunk)
                && chunk.inlineSize() > config.maxInlineBytes();
    }

    private String sizeRefusal(MediaChunk chunk) {
        return "chunk " + chunk.sequence() + " has " + chunk.inlineSize() + " bytes, over the limit of "
                + config.maxInlineBytes();
    }

    /** How long a remote copy may go without data when no idle timeout is set ("never"). */
    static final long COPY_STALL_LIMIT_MS = 300_000;

    /**
     * How long a remote copy may receive no data before it is given up: the idle timeout, or without one
     * {@link #COPY_STALL_LIMIT_MS}; a copy that hangs for ever would hold every referenced file of the subtask behind
     * it, whose videos then never end either (no idle timer ends them).
     */
    static long copyStallLimitMs(Duration idleTimeout) {
        return idleTimeout.isZero() ? COPY_STALL_LIMIT_MS : idleTimeout.toMillis();
    }

    /** Refuses a chunk with a dead letter and remembers it, so the sequence passes it without a gap report. */
    private void refuse(VideoBuffer b, MediaChunk chunk, Context ctx, Collector<AvWindow> out) {
        refuse(b, chunk, ctx, out, "backlog", "chunk " + chunk.sequence() + " refused: " + b.pendingBytes
                + " bytes of this video's chunks (payloads and entries) are already waiting behind the file or long "
                + "chunk being decoded (at most " + config.maxBacklogBytes() + ")");
    }

    private void refuse(VideoBuffer b, MediaChunk chunk, Context ctx, Collector<AvWindow> out, String stage,
            String reason) {
        error(b, ctx, out, chunk, chunk.sequence(), stage, reason);
        if (b.refused.length < MAX_REFUSED && !refused(b, chunk.sequence())) {
            addRefused(b, chunk.sequence());
        }
        if (chunk.last()) {
            b.refusedLast = chunk.sequence();
        }
    }

    /**
     * A bad record whose sequence header could not be read has no place in the sequence: its error goes out now. When
     * it was the producer's last chunk the video still ends, after the chunks that came before it (a video's chunks
     * share a key, hence a partition, so those have all arrived): it takes the place after them, as a refused chunk
     * does, so the sequence reaches it without a gap report.
     */
    private void unplaceable(VideoBuffer b, MediaChunk chunk, Context ctx, Collector<AvWindow> out) throws Exception {
        ErrorRecord e = ErrorRecord.forInvalidChunk(chunk, ctx.timerService().currentProcessingTime());
        error(b, ctx, out, chunk, chunk.sequence(), e.stage(), e.reason());
        b.lastReceived |= chunk.last();
        // otherwise, should its place be needed, the gap report says so; and a video that sends nothing more ends
        // by the idle timeout, as any video does
        if (chunk.last()) {
            long after = b.nextSequence;
            for (Long k : pending.keys()) {
                after = Math.max(after, k + 1);
            }
            addRefused(b, after);
            b.refusedLast = after;
        }
        b.lastActivityMs = ctx.timerService().currentProcessingTime();
        drain(b, ctx, out, false);
        if (!b.ended) {
            scheduleIdle(b, ctx);
            buffer.update(b);
        }
    }

    /** Marks {@code sequence} as passed without a decode: the sequence goes on past it without a gap report. */
    private static void addRefused(VideoBuffer b, long sequence) {
        b.refused = Arrays.copyOf(b.refused, b.refused.length + 1);
        b.refused[b.refused.length - 1] = sequence;
    }

    private static boolean refused(VideoBuffer b, long sequence) {
        for (long q : b.refused) {
            if (q == sequence) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the video may decode its file now: it has the decoder, or the decoder is free and no video has waited
     * longer. A queue entry that stopped asking (its video ended or failed meanwhile) leaves after {@link
     * #FILE_QUEUE_STALE_MS}, so it cannot hold the others; the queue is not state, a restored job builds it anew.
     */
    private boolean takesFileDecoder(String key, long now) {
        if (openFile != null && openFile.chunk.videoId().equals(key) || key.equals(copyingKey)) {
            return true;
        }
        // a copy in progress holds the decoder too: one referenced file at a time on this subtask's disk
        return nextInLine(fileQueue, key, now, openFile == null && copyingKey == null);
    }

    /**
     * Queues {@code key} (an entry already queued keeps its place, with {@code now} as its last ask), drops entries
     * that have not asked for {@link #FILE_QUEUE_STALE_MS}, and says whether {@code key} takes a free decoder: it is
     * first in line (and then leaves the queue).
     */
    static boolean nextInLine(LinkedHashMap<String, Long> queue, String key, long now, boolean decoderFree) {
        queue.put(key, now);
        queue.values().removeIf(askedAt -> now - askedAt > FILE_QUEUE_STALE_MS);
        if (!decoderFree || !queue.keySet().iterator().next().equals(key)) {
            return false;
        }
        queue.remove(key);
        return true;
    }

    /**
     * A chunk whose decode goes on in later steps is kept in state (once, not with every step's buffer update), for a
     * restored job and for a file that waits for the decoder.
     */
    private void keepForSteps(MediaChunk arriving) throws IOException {
        if (arriving != null) {
            decodingChunk.update(arriving);
        }
    }

    /** The video's chunk or file is decoded: its face track carries on, its decoder is closed. */
    private boolean decoded(VideoBuffer b, String key) throws IOException {
        b.track = (b.decodingFile ? openFile : openChunks.get(key)).track;
        endDecode(b, key);
        chunksDecoded.inc();
        b.decodedChunks++;
        return true;
    }

    private void scheduleStep(VideoBuffer b, Context ctx, long at) {
        b.stepTimerMs = at;
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    private void endDecode(VideoBuffer b, String key) throws IOException {
        if (key.equals(copyingKey)) {
            discardCopy();
        }
        if (b.decodingFile) {
            closeOpen();
        } else {
            OpenDecode r = openChunks.remove(key);
            if (r != null) {
                r.close();
            }
        }
        b.decoding = false;
        b.decodingSegments = 0;
        b.decodingFileBytes = -1;
        b.decodingTrack = null;
        decodingChunk.clear();
    }

    /** Drops a copy in progress; its file is deleted when (or as soon as) it is complete. */
    private void discardCopy() {
        if (copying != null) {
            copying.thenAccept(c -> c.file().toFile().delete());
            copying.cancel(false);
        }
        copying = null;
        copyingKey = null;
    }

    private void closeOpen() {
        if (openFile != null) {
            OpenDecode r = openFile;
            openFile = null;
            r.close();
        }
    }

    @Override
    public void close() throws Exception {
        // Flink closes a task that was cancelled before open() ran too (a source that could not reach its brokers
        // fails the job while the others start): a throw here is fatal to the whole TaskManager
        closeOpen();
        discardCopy();
        if (copier != null) {
            copier.shutdownNow();
        }
        if (openChunks != null) {
            for (OpenDecode r : openChunks.values()) {
                r.close();
            }
            openChunks.clear();
        }
        super.close();
    }

    private void undecodable(VideoBuffer b, Context ctx, Collector<AvWindow> out, MediaChunk chunk, Exception e) {
        error(b, ctx, out, chunk, chunk.sequence(), "decode",
                "chunk " + chunk.sequence() + " undecodable: " + e.getMessage());
    }

    /** A chunk or referenced file open for a segment-by-segment decode, with the temporary copy of a remote file. */
    private static final class OpenDecode implements AutoCloseable {
        final MediaChunk chunk;
        final SegmentedDecode decode;
        final FaceTrackState track;
        /** The referenced file as it was opened (null for inline bytes). */
        final FileStamp stamp;
        /** The referenced file when it is local (it can change under the decode; a remote file's copy cannot). */
        final Path local;
        /** Segments taken from {@link #decode} so far. */
        int consumed;
        private final Path tmp;

        private OpenDecode(MediaChunk chunk, SegmentedDecode decode, FaceTrackState track, FileStamp stamp,
                Path local, Path tmp) {
            this.chunk = chunk;
            this.decode = decode;
            this.track = track;
            this.stamp = stamp;
            this.local = local;
            this.tmp = tmp;
        }

        /**
         * Opens {@code chunk} (its bytes or its file) from the start, with the face track the video's decode started
         * with in {@code b}.
         */
        static OpenDecode open(MediaChunk chunk, VideoBuffer b, MediaSpec mediaSpec, int segmentFrames,
                RemoteCopy copied, ReferencePolicy references) throws MediaDecodeException, IOException {
            FaceTrackState track = b.decodingTrack.copy();
            if (!chunk.isReference()) {
                return new OpenDecode(chunk, MediaFeatureExtractor.openSegmented(chunk.payload(),
                        ChunkFormats.ffmpegFormat(chunk.contentType()), mediaSpec, b.decodingOriginUs,
                        b.decodingFirstAtUs, track, segmentFrames), track, null, null, null);
            }
            Path local = localPath(chunk.uri());
            Path real = null;
            Path tmp = null;
            FileStamp stamp;
            if (local == null) {
                // a remote file: its temporary copy, made beside the task thread (see step)
                java.util.Objects.requireNonNull(copied, "a remote reference opened before its copy");
                tmp = copied.file();
                stamp = copied.stamp();
            } else if (Files.isReadable(local)) {
                // checked again now, and opened by its real path: a link made under the prefix after the record was
                // read (its file did not exist then) must not lead outside it. FFmpeg opens the path by name later,
                // so a link swapped in between is still a narrow race, which only opening a descriptor would close
                real = local.toRealPath();
                String escape = references == null ? null : references.escapeOf(real);
                if (escape != null) {
                    throw new MediaDecodeException("cannot read " + chunk.uri() + ": it" + escape);
                }
                stamp = FileStamp.of(local);
            } else {
                // the decoder's own words, not a bare NoSuchFileException path
                throw new MediaDecodeException("cannot read " + local + ": no such readable file");
            }
            try {
                // the stamp checks between steps stay on the path as referenced, as after a restore
                return new OpenDecode(chunk, MediaFeatureExtractor.openSegmented(tmp != null ? tmp : real,
                        mediaSpec, b.decodingOriginUs, b.decodingFirstAtUs, track, segmentFrames), track, stamp,
                        local, tmp);
            } catch (MediaDecodeException | RuntimeException e) {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
                throw e;
            }
        }

        @Override
        public void close() {
            decode.close();
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left behind is not worth failing the job for
                }
            }
        }
    }

    /** The local copy of a remote file, and the stamp of the remote file it was made from. */
    record RemoteCopy(Path file, FileStamp stamp) {}

    private static void failIfChanged(FileStamp then, FileStamp now) throws MediaDecodeException {
        String changed = then.changedTo(now);
        if (changed != null) {
            throw new MediaDecodeException(changed);
        }
    }

    /**
     * A temporary copy of a referenced file on another file system (s3://, hdfs://, ... through Flink's plugins), which
     * FFmpeg can seek in; removed again when the copy fails, or when the file changed while it was copied. Each read
     * that got data sets {@code progressMs} to the wall-clock time, so a stalled copy shows.
     */
    static RemoteCopy copyRemote(String uri, AtomicLong progressMs) throws IOException, MediaDecodeException {
        // from the URI, not the string: Flink's Path(String) would escape an escaped URI a second time
        org.apache.flink.core.fs.Path remote = new org.apache.flink.core.fs.Path(URI.create(uri));
        FileSystem fs = FileSystem.get(remote.toUri());
        Path tmp = Files.createTempFile("lipsync-chunk", ".media");
        try {
            FileStamp stamp = FileStamp.ofRemote(uri);
            String refusal = tooLargeForTempSpace(stamp.bytes(), Files.getFileStore(tmp).getUsableSpace());
            if (refusal != null) {
                throw new MediaDecodeException(refusal);
            }
            try (InputStream in = fs.open(remote); OutputStream os = Files.newOutputStream(tmp)) {
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    os.write(buffer, 0, n);
                    progressMs.set(System.currentTimeMillis());
                }
            }
            failIfChanged(stamp, FileStamp.ofRemote(uri)); // rewritten while it was copied
            return new RemoteCopy(tmp, stamp);
        } catch (IOException | RuntimeException | MediaDecodeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Why a referenced file of {@code size} bytes is not copied to a temp disk with {@code usable} bytes free, or null
     * when it fits: the copy must leave {@link #TEMP_RESERVE_BYTES} (and a tenth of what is free) for the other
     * videos' copies and the state backend, which share the disk; a full disk would fail the TaskManager, and the
     * restored job would copy the same file again.
     */
    static String tooLargeForTempSpace(long size, long usable) {
        long room = usable - Math.max(TEMP_RESERVE_BYTES, usable / 10);
        if (size <= room) {
            return null;
        }
        return "the referenced file has " + size + " bytes, more than the " + Math.max(0, room)
                + " bytes its temporary copy may take on this TaskManager's disk (" + usable + " bytes free)";
    }

    static Path localPath(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri));
        }
        return uri.contains("://") ? null : Path.of(uri);
    }

    /**
     * Closes a live video whose buffer was kept for another window geometry (the job was restored with another model),
     * with an error that says so: its frames and audio cannot be cut into this model's windows, and cut anyway they
     * would fail or, worse, be scored as something they are not. Null geometry (older state) counts as this one.
     */
    private boolean geometryChanged(VideoBuffer b, Context ctx, Collector<AvWindow> out) throws Exception {
        if (b.geometry == null) {
            b.geometry = geometry;
            return false;
        }
        if (b.geometry.equals(geometry)) {
            return false;
        }
        if (b.decoding) {
            endDecode(b, ctx.getCurrentKey());
        }
        error(b, ctx, out, null, -1, "model", "the job was restored with another model's window geometry (was "
                + b.geometry + ", now " + geometry + "): what was held of this live video cannot be cut into the new "
                + "model's windows, so the video is closed here; send its remaining chunks under a new video id");
        finish(b, ctx, out, "model-changed", false);
        return true;
    }

    private void finish(VideoBuffer b, Context ctx, Collector<AvWindow> out, String forcedReason) throws Exception {
        finish(b, ctx, out, forcedReason, true);
    }

    private void finish(VideoBuffer b, Context ctx, Collector<AvWindow> out, String forcedReason, boolean cutHeld)
            throws Exception {
        if (cutHeld) {
            WindowCutter.computeMel(b, spec, filterbank, true);
            emit(WindowCutter.cut(b, spec, ctx.getCurrentKey()), out);
        }
        String reason = forcedReason;
        // a stream that stopped without its last chunk and had nothing decodable ends as one with a last chunk does,
        // in an ERROR verdict: whether a junk upload is an ERROR must not depend on how its stream ended
        boolean unanalysable = !b.hasVideo || "video".equals(b.absentStream);
        if (reason == null || ("idle".equals(reason) && unanalysable)) {
            if (!b.hasVideo && !b.hasAudio) {
                reason = "undecodable";
            } else if (unanalysable) {
                reason = "no-video";
                if (!b.hasVideo && b.videoStreamSeen) {
                    // "no video stream" would send whoever reads the error looking for a stream that is there
                    error(b, ctx, out, null, -1, "decode", "the video stream gave no decodable frames (codec "
                            + "parameters missing, e.g. MPEG-4 Part 2 or H.264 copied into MPEG-TS without them, or "
                            + "corrupt data)");
                }
            } else if (!b.hasAudio || "audio".equals(b.absentStream)) {
                reason = "no-audio";
            } else if (b.nextWindow == 0) {
                reason = "too-short";
            }
        }
        if (b.absentStream != null && b.hasAudio && b.hasVideo) {
            String other = b.absentStream.equals("audio") ? "picture" : "sound";
            error(b, ctx, out, null, -1, "decode", "the " + b.absentStream + " began more than "
                    + WindowCutter.LONE_STREAM_LIMIT_SECONDS + " s after the " + other + ": a stream missing that long "
                    + "is taken to be absent, so no windows were cut");
        }
        double frames = Math.max(1, b.videoFrames());
        double levels = Math.max(1, b.levelFrames);
        out.collect(AvWindow.end(ctx.getCurrentKey(), b.nextWindow, spec.frameToMs(b.videoFrames()),
                b.faceFrames / frames, b.speechFrames / levels, b.multiFaceFrames / frames,
                b.hasAudio && !"audio".equals(b.absentStream), reason,
                b.newestProducedAtMs, b.errorsSent));
        if (b.idleTimerMs > 0) {
            ctx.timerService().deleteProcessingTimeTimer(b.idleTimerMs);
        }
        if (b.stepTimerMs > 0) {
            ctx.timerService().deleteProcessingTimeTimer(b.stepTimerMs);
        }
        List<Long> beyond = new ArrayList<>();
        for (Long k : pending.keys()) {
            beyond.add(k);
        }
        beyond.sort(null);
        for (long k : beyond) {
            // chunks numbered after the last one (or waiting when the video was closed): said, not dropped silently
            report(ctx, k, "sequence", "chunk " + k + " was still waiting when the video ended (after chunk "
                    + (b.nextSequence - 1) + "); ignored");
        }
        pending.clear();
        b.pendingBytes = 0;
        // keep a tombstone so late duplicates of this video are recognised instead of starting a new one
        VideoBuffer tomb = new VideoBuffer();
        tomb.ended = true;
        tomb.nextSequence = b.nextSequence;
        buffer.update(tomb);
        b.ended = true;
    }

    /** Remembers when this instance (fresh or restored) first ran. */
    void noteFirstCall(long nowMs) {
        if (firstCallMs == Long.MIN_VALUE) {
            firstCallMs = nowMs;
        }
    }

    /**
     * How long a video may receive nothing before it is closed, 0 for never: the idle timeout, or without one,
     * {@link #COPY_STALL_LIMIT_MS} while its last chunk is in but the sequence waits for a chunk lost before it.
     * "Never" is for live streams that pause; a stream whose end is in would otherwise wait for the lost chunk for ever
     * and its state expire at the TTL without a verdict.
     */
    private long idleTimeoutMs(VideoBuffer b) {
        if (config.idleTimeout() != null && !config.idleTimeout().isZero()) {
            return config.idleTimeout().toMillis();
        }
        boolean waitsForALostChunk = b.lastReceived && !b.ended && !b.decoding
                && (b.pendingBytes > 0 || b.refusedLast >= 0);
        return waitsForALostChunk ? COPY_STALL_LIMIT_MS : 0;
    }

    private void scheduleIdle(VideoBuffer b, Context ctx) {
        long timeoutMs = idleTimeoutMs(b);
        if (timeoutMs == 0) {
            return;
        }
        long due = b.lastActivityMs + timeoutMs;
        // one timer per video: re-arm lazily from onTimer instead of deleting and adding on every chunk
        if (b.idleTimerMs <= 0) {
            b.idleTimerMs = due;
            ctx.timerService().registerProcessingTimeTimer(due);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AvWindow> out) throws Exception {
        noteFirstCall(ctx.timerService().currentProcessingTime());
        VideoBuffer b = buffer.value();
        if (b == null || b.ended || geometryChanged(b, ctx, out)) {
            return;
        }
        if (b.decoding && timestamp == b.stepTimerMs) {
            b.stepTimerMs = 0;
            boolean last = b.decodingLast;
            if (step(b, null, ctx, out, 1)) {
                if (last) {
                    finish(b, ctx, out, null);
                } else {
                    drain(b, ctx, out, false);
                    if (!b.ended && !b.decoding) {
                        scheduleIdle(b, ctx); // without an idle timeout, what waits behind a gap now starts its wait
                    }
                }
            }
        }
        if (!b.ended && timestamp == b.idleTimerMs) {
            idle(b, timestamp, ctx, out);
        }
        if (!b.ended) {
            buffer.update(b);
        }
    }

    private void idle(VideoBuffer b, long timestamp, OnTimerContext ctx, Collector<AvWindow> out) throws Exception {
        long timeoutMs = idleTimeoutMs(b);
        if (timeoutMs == 0) {
            // a timer of a job that had a timeout, restored into one that has none ("never"): it closed every live
            // video, and re-armed at its own time it fired again at once, for ever, while a file decoded
            b.idleTimerMs = 0;
            return;
        }
        // time the job was down is no idleness: a restore fires overdue timers before the source has read anything,
        // and would close every live video with a premature FINAL
        long due = Math.max(b.lastActivityMs, firstCallMs) + timeoutMs;
        if (due > timestamp || b.decoding) {
            b.idleTimerMs = due > timestamp ? due : timestamp + timeoutMs;
            ctx.timerService().registerProcessingTimeTimer(b.idleTimerMs);
            return;
        }
        b.idleTimerMs = 0;
        drain(b, ctx, out, true);
        if (!b.ended && !b.decoding) {
            finish(b, ctx, out, "idle");
        } else if (!b.ended) {
            scheduleIdle(b, ctx); // a file the forced drain reached decodes first; the idle END comes after it
        }
    }

    private void emit(List<AvWindow> windows, Collector<AvWindow> out) {
        for (AvWindow w : windows) {
            out.collect(w);
        }
        windowsEmitted.inc(windows.size());
    }

    /**
     * Tells the error topic that a chunk was not used ({@code why}: after "chunk N "). One that was refused by the
     * source (a bad reference, bad headers) keeps its own stage, and its own reason after why it was ignored (which a
     * long reason cut to the record's limit would otherwise lose): a consumer that watches, say, the "reference" stage
     * for refused URIs would otherwise miss every such chunk sent late or twice.
     */
    private void reportIgnored(Context ctx, MediaChunk chunk, String why) {
        String ignored = "chunk " + chunk.sequence() + " " + why;
        if (ChunkContentTypes.isInvalid(chunk)) {
            ErrorRecord e = ErrorRecord.forInvalidChunk(chunk, ctx.timerService().currentProcessingTime());
            report(ctx, chunk.sequence(), e.stage(), ignored + ": " + e.reason());
        } else {
            report(ctx, chunk.sequence(), "sequence", ignored);
        }
    }

    /** An error record on the errors topic; the verdict lists it only when {@link #error} sends its event too. */
    private void report(Context ctx, long sequence, String stage, String reason) {
        chunkErrors.inc();
        ctx.output(ERRORS, new ErrorRecord(ctx.getCurrentKey(), sequence, stage, reason,
                ctx.timerService().currentProcessingTime()));
    }

    /** An error record, and the ERROR event that puts it on the video's verdict (counted for its END). */
    private void error(VideoBuffer b, Context ctx, Collector<AvWindow> out, MediaChunk chunk, long sequence,
            String stage, String reason) {
        String text = ErrorRecord.bounded(reason);
        report(ctx, sequence, stage, text);
        b.errorsSent++;
        out.collect(AvWindow.error(ctx.getCurrentKey(), sequence, text, chunk == null ? 0 : chunk.producedAtMs()));
    }
}
