package io.lipsyncguard.job.window;

import io.lipsyncguard.job.media.FaceTrackState;
import io.lipsyncguard.job.media.SpeechActivity;

/**
 * Keyed state of one video between chunks: the tail of frames, audio and mel rows that windows not yet cut still
 * need, plus running evidence counters. A POJO with primitive arrays so Flink serializes it without Kryo.
 */
public class VideoBuffer {
    /**
     * The window geometry ({@link WindowSpec#geometry()}) this buffer's frames, audio and mel rows were kept for; null in state
     * written before it was recorded. A job restored with another model's geometry cannot cut what is held.
     */
    public String geometry;
    /** Media time of grid frame 0, or Long.MIN_VALUE before the first decoded chunk. */
    public long originUs = Long.MIN_VALUE;

    /** Grid index of crops[0]. */
    public long cropBase;
    /** Frames held from cropBase. */
    public int cropFrames;
    public byte[] crops = new byte[0];
    public boolean[] face = new boolean[0];
    public byte[] faceCount = new byte[0];

    /** Sample index (from the origin) of audio[0]. */
    public long audioBase;
    public int audioLen;
    public float[] audio = new float[0];

    /** Grid index of the first mel row held. */
    public long melBase;
    public int melFrames;
    /** M·nMels values per frame. */
    public float[] mel = new float[0];
    /** Audio level per frame (dBFS), aligned with mel. */
    public float[] level = new float[0];
    /** Frames per level of the whole track so far (SpeechActivity.histogram), for a quiet recording's speech gate. */
    public long[] levelHistogram = new long[SpeechActivity.HISTOGRAM_BINS];

    public int nextWindow;
    public boolean hasVideo;
    /** Whether a decode found a video stream at all; with no frames from it, its frames could not be decoded. */
    public boolean videoStreamSeen;
    public boolean hasAudio;
    /**
     * "audio" or "video" once that stream was missing for the first {@link WindowCutter#LONE_STREAM_LIMIT_SECONDS} s
     * of the other and taken to be absent (from then on nothing is buffered or cut); null while both are there or it is
     * too early to say.
     */
    public String absentStream;
    public long faceFrames;
    public long multiFaceFrames;
    public long speechFrames;
    public long levelFrames;
    public long newestProducedAtMs;
    /** Next chunk sequence number expected. */
    public long nextSequence;
    /** Media start (µs, from the headers) of the first chunk, or Long.MIN_VALUE. */
    public long firstMediaStartUs = Long.MIN_VALUE;
    public int decodedChunks;
    public int gaps;
    /** ERROR events sent into the windows stream, told to the aggregator with END so its verdict waits for them. */
    public long errorsSent;
    /** Processing time of the last chunk, for the idle timeout. */
    public long lastActivityMs;
    /** Processing time the registered idle timer fires at, 0 when none. */
    public long idleTimerMs;
    /** Face track carried between chunks, so a chunked video tracks as it would decoded whole. */
    public FaceTrackState track = new FaceTrackState();
    /**
     * Grid frames added to where chunks' timestamps place them: moved whenever a chunk's timestamps jumped (an encoder
     * restart, a wrapped clock, a wrong media-start header), so the video goes on where it was instead.
     */
    public long gridShift;
    /**
     * A chunk or referenced file is being decoded a segment per step (the chunk itself is in the decoder's own state,
     * written only when it takes steps, so this buffer stays small); later chunks wait in sequence behind it.
     */
    public boolean decoding;
    /** It is a referenced file (which waits for the subtask's one file decoder), not inline bytes. */
    public boolean decodingFile;
    /** It is the video's last chunk. */
    public boolean decodingLast;
    /** Segments of it already cut into windows: a restored job decodes these again and skips them. */
    public int decodingSegments;
    /**
     * Grid frames per segment of that decode (0: not recorded, from before the field): a restored job cuts its
     * segments alike, whatever its own configuration or version says, so the skipped ones are the ones cut.
     */
    public int decodingSegmentFrames;
    /** The face track as it was when that decode started, so a restored job decodes the skipped segments alike. */
    public FaceTrackState decodingTrack;
    /**
     * Size and modification time of that decode's referenced file when it began ({@code -1} bytes: none taken yet),
     * so a file rewritten in the meantime is noticed, also by a restored job that opens it again.
     */
    public long decodingFileBytes = -1;
    /** Its modification time then, ms since the epoch. */
    public long decodingFileModifiedMs;
    /** Origin and first-frame placement that decode started with. */
    public long decodingOriginUs;
    public long decodingFirstAtUs;
    /** Processing time the registered step timer fires at, 0 when none. */
    public long stepTimerMs;
    /**
     * Inline bytes of the chunks waiting in the decoder's pending state: counted as they come and go, since summing the
     * state would deserialize every waiting chunk on each arrival.
     */
    public long pendingBytes;
    /**
     * Sequence numbers of chunks refused because too many bytes waited behind a decode: the sequence passes them
     * without reporting a gap (each had its own error record). At most {@code MAX_REFUSED} are remembered.
     */
    public long[] refused = new long[0];
    /** Sequence number of the last chunk when it was refused so, else -1: passing it ends the video. */
    public long refusedLast = -1;
    /**
     * The producer's last chunk has arrived (used, waiting behind a gap, or refused): the stream is over, so a gap
     * before it is waited for a bounded time even when live streams may pause for ever (idle timeout 0).
     */
    public boolean lastReceived;
    /** The video ended: later chunks are late duplicates. */
    public boolean ended;

    public VideoBuffer() {}

    /** Total grid frames of video seen (highest index + 1): trimming moves the base, never the end. */
    public long videoFrames() {
        return cropBase + cropFrames;
    }

    /** Total audio samples seen (highest index + 1). */
    public long audioEnd() {
        return audioBase + audioLen;
    }
}
