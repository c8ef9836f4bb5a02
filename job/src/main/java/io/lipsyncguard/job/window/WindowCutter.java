package io.lipsyncguard.job.window;

import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.SyncNetMfcc;
import io.lipsyncguard.job.media.MediaFeatureExtractor;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.media.SpeechActivity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure windowing over a {@link VideoBuffer}: appends decoded features by grid position, computes mel rows once
 * their audio is complete, cuts every window whose frames and audio context are present, and trims what no later
 * window needs. Chunk boundaries therefore never change a window.
 */
public final class WindowCutter {

    /** A stream missing for this long of the other is taken to be absent. */
    public static final int LONE_STREAM_LIMIT_SECONDS = 60;

    private WindowCutter() {}

    /**
     * Adds one decode's frames and audio at their grid positions. Where a decode overlaps frames already held (a chunk
     * whose timestamps step back a little), later data wins, except for frames whose mel rows are already computed:
     * those keep their crops too, so that no window pairs one chunk's lips with another chunk's sound.
     */
    public static void append(VideoBuffer b, MediaFeatures m, WindowSpec spec) {
        if (b.originUs == Long.MIN_VALUE) {
            b.originUs = m.originUs();
        }
        int px = spec.cropPixels();
        b.videoStreamSeen |= m.videoStreamFound();
        // a stream taken to be absent is dropped (dropLoneStream); copied first, the first piece that comes after all
        // would fill every frame (or sample) since the other stream began, gigabytes of large crops after minutes
        if (m.hasVideo() && m.frameCount() > 0) {
            b.hasVideo = true;
            // the mel frontier is at most the frames held, so only an overlap is affected
            long from = Math.max(m.firstFrame(), Math.max(b.cropBase, b.melBase + b.melFrames));
            long to = m.firstFrame() + m.frameCount();
            long seenBefore = b.videoFrames();
            if ("video".equals(b.absentStream)) {
                b.cropBase = Math.max(seenBefore, to); // nothing held: dropLoneStream emptied the buffer
                b.cropFrames = 0;
            } else {
                ensureFrames(b, to, px);
                bridgeGap(b, m, seenBefore, spec);
                for (long f = from; f < to; f++) {
                    int dst = (int) (f - b.cropBase);
                    int src = (int) (f - m.firstFrame());
                    System.arraycopy(m.crops(), src * px, b.crops, dst * px, px);
                    b.face[dst] = m.faceFound()[src];
                    b.faceCount[dst] = m.faceCount()[src];
                }
            }
            // counted for the END either way
            for (long f = Math.max(from, seenBefore); f < to; f++) {
                int src = (int) (f - m.firstFrame());
                b.faceFrames += m.faceFound()[src] ? 1 : 0;
                b.multiFaceFrames += m.faceCount()[src] >= 2 ? 1 : 0;
            }
        }
        if (m.hasAudio() && m.audio().length > 0 && "audio".equals(b.absentStream)) {
            b.hasAudio = true;
            b.audioBase = Math.max(b.audioEnd(), m.audioStartSample() + m.audio().length);
            b.audioLen = 0; // nothing held: dropLoneStream emptied the buffer
        } else if (m.hasAudio() && m.audio().length > 0) {
            b.hasAudio = true;
            long from = Math.max(m.audioStartSample(), b.audioBase);
            long to = m.audioStartSample() + m.audio().length;
            ensureSamples(b, to);
            if (to > from) {
                System.arraycopy(m.audio(), (int) (from - m.audioStartSample()), b.audio, (int) (from - b.audioBase),
                        (int) (to - from));
            }
        }
        fillStalledStream(b, spec);
    }

    /**
     * Grid slots between the last frame held and a decode's first frame (a frame dropped at a chunk boundary, or a
     * source slower than the grid whose chunks start between slots) get the blend of the two, weighted by position,
     * as one decode blends such a gap; left as they were they would be black slots without a face inside a window. A
     * blend needs a face on both sides, else the nearer frame gives crop and evidence. Longer gaps are lost frames and
     * stay as they are.
     */
    static void bridgeGap(VideoBuffer b, MediaFeatures m, long seenBefore, WindowSpec spec) {
        long last = seenBefore - 1; // the frame held before this decode
        long gap = m.firstFrame() - last;
        if (last < b.cropBase || gap < 2
                || gap * 1_000_000L > MediaFeatureExtractor.BLEND_GAPS_UP_TO_US * spec.fps()) {
            return;
        }
        int px = spec.cropPixels();
        int before = (int) (last - b.cropBase);
        boolean faceBefore = b.face[before];
        boolean faceAfter = m.faceFound()[0];
        for (long f = seenBefore; f < m.firstFrame(); f++) {
            int dst = (int) (f - b.cropBase);
            double w = (double) (f - last) / gap;
            boolean nearerAfter = w >= 0.5;
            if (faceBefore && faceAfter) {
                for (int i = 0; i < px; i++) {
                    b.crops[dst * px + i] = (byte) Math.round((1 - w) * (b.crops[before * px + i] & 0xFF)
                            + w * (m.crops()[i] & 0xFF));
                }
            } else if (nearerAfter) {
                System.arraycopy(m.crops(), 0, b.crops, dst * px, px);
            } else {
                System.arraycopy(b.crops, before * px, b.crops, dst * px, px);
            }
            b.face[dst] = nearerAfter ? faceAfter : faceBefore;
            b.faceCount[dst] = nearerAfter ? m.faceCount()[0] : b.faceCount[before];
            b.faceFrames += b.face[dst] ? 1 : 0;
            b.multiFaceFrames += b.faceCount[dst] >= 2 ? 1 : 0;
        }
    }

    /**
     * A stream that stops while the other goes on (a microphone unplugged, a camera lost mid-stream) is filled in once
     * it lags by {@link #LONE_STREAM_LIMIT_SECONDS}: with digital silence, which the windows there report as an audio
     * dropout, or with frames without a face. Windows are then cut and the buffer trimmed as usual. Without it no
     * window could be cut past the stall, and every frame (or sample) of the other stream stayed in state, hours of
     * them rewritten with every chunk. The filled time is final: its windows are cut at once, so what the stalled
     * stream sends later for it is dropped, as data behind the buffer always is. Within the minute of slack, late data
     * still lands where its timestamps say.
     */
    static void fillStalledStream(VideoBuffer b, WindowSpec spec) {
        if (!b.hasAudio || !b.hasVideo || b.absentStream != null) {
            return;
        }
        int spf = spec.samplesPerFrame();
        long slack = (long) LONE_STREAM_LIMIT_SECONDS * spec.fps();
        long audioTo = (b.videoFrames() - slack) * spf;
        if (audioTo > b.audioEnd()) {
            int from = b.audioLen;
            ensureSamples(b, audioTo);
            Arrays.fill(b.audio, from, b.audioLen, 0f);
        }
        long framesTo = Math.floorDiv(b.audioEnd(), spf) - slack;
        if (framesTo > b.videoFrames()) {
            int px = spec.cropPixels();
            int from = b.cropFrames;
            ensureFrames(b, framesTo, px);
            Arrays.fill(b.crops, from * px, b.cropFrames * px, (byte) 0);
            Arrays.fill(b.face, from, b.cropFrames, false);
            Arrays.fill(b.faceCount, from, b.cropFrames, (byte) 0);
        }
    }

    private static void ensureSamples(VideoBuffer b, long toSample) {
        int need = (int) (toSample - b.audioBase);
        if (need > b.audioLen) {
            if (need > b.audio.length) {
                b.audio = Arrays.copyOf(b.audio, Math.max(need, b.audio.length * 3 / 2));
            }
            b.audioLen = need;
        }
    }

    private static void ensureFrames(VideoBuffer b, long toFrame, int px) {
        int need = (int) (toFrame - b.cropBase);
        if (need > b.cropFrames) {
            if (need > b.face.length) {
                int cap = Math.max(need, b.face.length * 3 / 2);
                b.crops = Arrays.copyOf(b.crops, cap * px);
                b.face = Arrays.copyOf(b.face, cap);
                b.faceCount = Arrays.copyOf(b.faceCount, cap);
            }
            b.cropFrames = need;
        }
    }

    /**
     * Computes mel rows and levels for every frame whose audio support is complete; at the end of the video, for all
     * frames up to its length (missing audio reads as silence).
     */
    public static void computeMel(VideoBuffer b, WindowSpec spec, float[][] filterbank, boolean endOfVideo) {
        if (b.absentStream != null || (endOfVideo && (!b.hasAudio || !b.hasVideo))) {
            // no window is cut without both streams (cut): the mel of a stream taken to be absent, or of the silence
            // of a picture that never had sound, would be computed only to be dropped, at the end of an hour of
            // silent picture gigabytes of it at once
            b.melBase = Math.max(b.melBase + b.melFrames, b.videoFrames());
            b.melFrames = 0;
            b.mel = new float[0];
            b.level = new float[0];
            return;
        }
        int spf = spec.samplesPerFrame();
        long limit;
        if (endOfVideo) {
            limit = b.videoFrames();
        } else {
            // frame f's last mel frame reaches winLength/2 - hop/2 samples past the frame's end (centred log-mel
            // frames), or (M-1)·hop + winLength - samples per frame (MFCC frames start at the frame's first sample)
            long reach = spec.rawAudio() ? 0
                    : spec.mfcc() ? (long) (spec.melPerFrame() - 1) * spec.hop() + spec.winLength() - spf
                    : spec.winLength() / 2 - spec.hop() / 2;
            limit = Math.min(b.videoFrames(), Math.floorDiv(b.audioEnd() - reach, spf));
        }
        long from = b.melBase + b.melFrames;
        if (limit <= from) {
            return;
        }
        int n = (int) (limit - from);
        int per = spec.melValuesPerFrame();
        float[] rows;
        if (spec.rawAudio()) {
            rows = new float[n * spf]; // the samples themselves; silence where the buffer has none
            long first = from * spf - b.audioBase;
            for (int i = 0; i < rows.length; i++) {
                long idx = first + i;
                rows[i] = idx >= 0 && idx < b.audioLen ? b.audio[(int) idx] : 0f;
            }
        } else if (spec.mfcc()) {
            rows = SyncNetMfcc.rows(b.audio, b.audioLen, from * spf - b.audioBase, n * spec.melPerFrame());
        } else {
            long firstCentre = from * spf + spec.hop() / 2 - b.audioBase;
            rows = LogMel.compute(b.audio, firstCentre, n * spec.melPerFrame(), spec.nFft(), spec.winLength(),
                    spec.hop(), filterbank);
        }
        float[] lv = SpeechActivity.dbfs(b.audio, from * spf - b.audioBase, n, spf);
        int total = b.melFrames + n;
        if (total * per > b.mel.length) {
            b.mel = Arrays.copyOf(b.mel, Math.max(total * per, b.mel.length * 3 / 2));
            b.level = Arrays.copyOf(b.level, Math.max(total, b.level.length * 3 / 2));
        }
        System.arraycopy(rows, 0, b.mel, b.melFrames * per, n * per);
        System.arraycopy(lv, 0, b.level, b.melFrames, n);
        if (b.levelHistogram == null || b.levelHistogram.length != SpeechActivity.HISTOGRAM_BINS) {
            b.levelHistogram = new long[SpeechActivity.HISTOGRAM_BINS]; // state from before the field existed
        }
        SpeechActivity.histogram(b.levelHistogram, lv);
        double gate = SpeechActivity.threshold(b.levelHistogram, spec.speechThresholdDbfs());
        for (int i = 0; i < n; i++) {
            b.speechFrames += SpeechActivity.active(lv[i], gate) ? 1 : 0;
        }
        b.levelFrames += n;
        b.melFrames = total;
    }

    /**
     * Cuts every window whose frames and audio context are available, in index order, then trims the buffer.
     * Nothing is cut for a video without audio or picture: its END event reports that instead.
     */
    public static List<AvWindow> cut(VideoBuffer b, WindowSpec spec, String videoId) {
        List<AvWindow> out = new ArrayList<>();
        if (!b.hasAudio || !b.hasVideo || b.absentStream != null) {
            dropLoneStream(b, spec);
            return out;
        }
        int t = spec.windowFrames();
        int k = spec.marginFrames();
        int px = spec.cropPixels();
        int per = spec.melValuesPerFrame();
        double gate = SpeechActivity.threshold(b.levelHistogram, spec.speechThresholdDbfs());
        while (true) {
            long s = spec.windowStartFrame(b.nextWindow);
            boolean framesReady = s + t + k <= b.videoFrames();
            boolean melReady = s + t + k <= b.melBase + b.melFrames;
            if (!framesReady || !melReady) {
                break;
            }
            int c0 = (int) (s - b.cropBase);
            byte[] crops = Arrays.copyOfRange(b.crops, c0 * px, (c0 + t) * px);
            int m0 = (int) (s - k - b.melBase);
            float[] audio = Arrays.copyOfRange(b.mel, m0 * per, (m0 + t + 2 * k) * per);
            int face = 0;
            int multi = 0;
            int speech = 0;
            for (int i = 0; i < t; i++) {
                face += b.face[c0 + i] ? 1 : 0;
                multi += b.faceCount[c0 + i] >= 2 ? 1 : 0;
                speech += SpeechActivity.active(b.level[m0 + k + i], gate) ? 1 : 0;
            }
            // the whole audio span counts: every lag of the curve reads from it
            int dropout = 0;
            for (int i = 0; i < t + 2 * k; i++) {
                dropout += SpeechActivity.dropout(b.level[m0 + i]) ? 1 : 0;
            }
            out.add(new AvWindow(videoId, WindowKind.WINDOW, b.nextWindow, spec.frameToMs(s), spec.frameToMs(s + t),
                    crops, audio, (double) face / t, (double) speech / t, (double) multi / t,
                    (double) dropout / (t + 2 * k), true, null, b.newestProducedAtMs));
            b.nextWindow++;
        }
        trim(b, spec);
        return out;
    }

    /**
     * Once one stream has been missing for the first minute of the other, it is taken to be absent and the other's
     * frames or samples are dropped as they come: a live stream without sound (or picture) would otherwise keep
     * every frame in state, hours of them rewritten with every chunk. Counts (frames, faces) go on for the END event.
     */
    static void dropLoneStream(VideoBuffer b, WindowSpec spec) {
        if (b.absentStream == null) {
            long limitFrames = (long) LONE_STREAM_LIMIT_SECONDS * spec.fps();
            if (b.hasVideo && !b.hasAudio && b.videoFrames() > limitFrames) {
                b.absentStream = "audio";
            } else if (b.hasAudio && !b.hasVideo && b.audioEnd() > limitFrames * spec.samplesPerFrame()) {
                b.absentStream = "video";
            } else {
                return;
            }
        }
        b.cropBase += b.cropFrames;
        b.cropFrames = 0;
        b.crops = new byte[0];
        b.face = new boolean[0];
        b.faceCount = new byte[0];
        b.audioBase += b.audioLen;
        b.audioLen = 0;
        b.audio = new float[0];
        b.melBase += b.melFrames;
        b.melFrames = 0;
        b.mel = new float[0];
        b.level = new float[0];
    }

    /** Drops frames, mel rows and samples that no window from {@code nextWindow} on can use. */
    static void trim(VideoBuffer b, WindowSpec spec) {
        long s = spec.windowStartFrame(b.nextWindow);
        int px = spec.cropPixels();
        int dropFrames = (int) Math.min(b.cropFrames, Math.max(0, s - b.cropBase));
        if (dropFrames > 0) {
            b.crops = Arrays.copyOfRange(b.crops, dropFrames * px, Math.max(dropFrames, b.cropFrames) * px);
            b.face = Arrays.copyOfRange(b.face, dropFrames, b.cropFrames);
            b.faceCount = Arrays.copyOfRange(b.faceCount, dropFrames, b.cropFrames);
            b.cropBase += dropFrames;
            b.cropFrames -= dropFrames;
        }
        int per = spec.melValuesPerFrame();
        int dropMel = (int) Math.min(b.melFrames, Math.max(0, s - spec.marginFrames() - b.melBase));
        if (dropMel > 0) {
            b.mel = Arrays.copyOfRange(b.mel, dropMel * per, b.melFrames * per);
            b.level = Arrays.copyOfRange(b.level, dropMel, b.melFrames);
            b.melBase += dropMel;
            b.melFrames -= dropMel;
        }
        // the next mel row to compute reads from winLength/2 before its frame's first hop centre
        long keepFrom = (b.melBase + b.melFrames) * (long) spec.samplesPerFrame() - spec.winLength();
        int dropSamples = (int) Math.min(b.audioLen, Math.max(0, keepFrom - b.audioBase));
        if (dropSamples > 0) {
            b.audio = Arrays.copyOfRange(b.audio, dropSamples, b.audioLen);
            b.audioBase += dropSamples;
            b.audioLen -= dropSamples;
        }
    }
}
