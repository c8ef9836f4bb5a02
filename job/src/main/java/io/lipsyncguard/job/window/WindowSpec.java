package io.lipsyncguard.job.window;

import io.lipsyncguard.job.media.MediaSpec;
import io.lipsyncguard.job.media.SpeechActivity;
import io.lipsyncguard.models.AudioSpec;
import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.models.Preprocessing;
import java.io.Serializable;

/**
 * Window geometry taken from a model manifest: T frames per window, a stride, K frames of audio context on each
 * side, crop size and mel settings. Window i covers video frames [K + i·stride, K + i·stride + T) and audio frames
 * [i·stride, i·stride + T + 2K).
 */
public record WindowSpec(int fps, int sampleRate, int windowFrames, int strideFrames, int marginFrames,
        int cropWidth, int cropHeight, int nMels, int nFft, int winLength, int hop, double fMin, double fMax,
        int melPerFrame, double speechThresholdDbfs, boolean faceCrops, int nMfcc, boolean wholeFrames)
        implements Serializable {

    /** The crop kind of LipFD-style models: whole frames (kept at 500×500) plus a mel image, built per window. */
    public static final String LIPFD_KIND = "lipfd-multiscale";

    public static WindowSpec fromManifest(ModelManifest manifest) {
        Preprocessing p = manifest.preprocessing();
        AudioSpec a = p.audio();
        boolean whole = LIPFD_KIND.equals(p.crop().kind());
        // LipFD resizes whole frames to 500x500 before it composes and crops them; keep them at that size
        int width = whole ? io.lipsyncguard.job.media.LipFdComposite.FRAME : p.crop().width();
        int height = whole ? io.lipsyncguard.job.media.LipFdComposite.FRAME : p.crop().height();
        return new WindowSpec(p.fps(), p.sampleRate(), p.windowFrames(), p.strideFrames(), p.offsetMarginFrames(),
                width, height, a.nMels(), a.nFft(), a.winLength(), a.hopLength(), a.fMin(),
                a.fMax(), a.melFramesPerVideoFrame(), SpeechActivity.DEFAULT_THRESHOLD_DBFS,
                "face".equals(p.crop().kind()) && p.crop().channels() == 3,
                "mfcc".equals(a.kind()) ? a.nMfccOrZero() : 0, whole);
    }

    /**
     * What a video's buffer is kept for, as {@link VideoBuffer#geometry} records it: the settings whose change makes
     * the frames, audio and mel rows held unfit to cut (not the record's own text, which a new field of another kind
     * would change, closing every live video at the upgrade).
     */
    public String geometry() {
        return "fps=" + fps + ", sampleRate=" + sampleRate + ", windowFrames=" + windowFrames + ", strideFrames="
                + strideFrames + ", marginFrames=" + marginFrames + ", crop=" + cropWidth + "x" + cropHeight + "x"
                + (faceCrops || wholeFrames ? 3 : 1) + (wholeFrames ? " whole frames" : "") + ", nMels=" + nMels
                + ", nFft=" + nFft + ", winLength=" + winLength + ", hop=" + hop + ", fMin=" + fMin + ", fMax=" + fMax
                + ", melPerFrame=" + melPerFrame + ", nMfcc=" + nMfcc;
    }

    public MediaSpec mediaSpec(int detectEveryFrames, int detectSide) {
        return new MediaSpec(fps, sampleRate, cropWidth, cropHeight, detectEveryFrames, detectSide, faceCrops,
                wholeFrames);
    }

    public int samplesPerFrame() {
        return sampleRate / fps;
    }

    /** Bytes of one crop: width·height, times 3 for colour face crops. */
    public int cropPixels() {
        return cropWidth * cropHeight * (faceCrops || wholeFrames ? 3 : 1);
    }

    /** Whether the audio features are SyncNet's MFCCs rather than log-mel rows. */
    public boolean mfcc() {
        return nMfcc > 0;
    }

    /** Video frames of audio a window needs: T + 2K. */
    public int spanFrames() {
        return windowFrames + 2 * marginFrames;
    }

    /** Mel values per video frame: M mel frames of nMels bins. */
    public int melValuesPerFrame() {
        return wholeFrames ? samplesPerFrame() : melPerFrame * (mfcc() ? nMfcc : nMels);
    }

    /** Whether windows carry raw audio samples (LipFD renders its mel image per window) instead of features. */
    public boolean rawAudio() {
        return wholeFrames;
    }

    public long windowStartFrame(long index) {
        return marginFrames + index * strideFrames;
    }

    /** Windows a video of {@code frames} grid frames yields: every window with its full audio context inside it. */
    public int windowsIn(long frames) {
        if (frames < spanFrames()) {
            return 0;
        }
        return (int) ((frames - spanFrames()) / strideFrames) + 1;
    }

    public long frameToMs(long frame) {
        return frame * 1000L / fps;
    }
}
