package io.lipsyncguard.job.media;

import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.models.Preprocessing;
import java.io.Serializable;

/**
 * How media is normalised before windowing: target frame rate and sample rate, mouth-crop size, and how often the
 * face detector runs.
 *
 * @param fps target video frame rate (frames are resampled onto this grid)
 * @param sampleRate target mono audio sample rate in Hz
 * @param cropWidth mouth crop width in pixels
 * @param cropHeight mouth crop height in pixels
 * @param detectEveryFrames run the Haar detector on every n-th decoded frame and carry the box in between
 * @param detectSide frames whose shorter side is longer than this are downscaled before detection
 * @param faceCrops colour (BGR) crops of the whole face, as SyncNet-style models take, instead of grey mouth crops
 * @param wholeFrames colour (BGR) whole frames resized to the crop size, as LipFD takes (wins over faceCrops)
 */
public record MediaSpec(int fps, int sampleRate, int cropWidth, int cropHeight, int detectEveryFrames,
        int detectSide, boolean faceCrops, boolean wholeFrames) implements Serializable {

    /** A spec with grey mouth crops or colour face crops. */
    public MediaSpec(int fps, int sampleRate, int cropWidth, int cropHeight, int detectEveryFrames,
            int detectSide, boolean faceCrops) {
        this(fps, sampleRate, cropWidth, cropHeight, detectEveryFrames, detectSide, faceCrops, false);
    }

    /** A spec with grey mouth crops. */
    public MediaSpec(int fps, int sampleRate, int cropWidth, int cropHeight, int detectEveryFrames,
            int detectSide) {
        this(fps, sampleRate, cropWidth, cropHeight, detectEveryFrames, detectSide, false, false);
    }

    public MediaSpec {
        if (fps <= 0 || sampleRate <= 0 || cropWidth <= 0 || cropHeight <= 0 || detectEveryFrames <= 0
                || detectSide < 32) {
            throw new IllegalArgumentException("invalid media spec " + fps + " fps, " + sampleRate + " Hz, crop "
                    + cropWidth + "x" + cropHeight + ", detect every " + detectEveryFrames + " at " + detectSide);
        }
        if (sampleRate % fps != 0) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " must be a multiple of fps " + fps
                    + " so every video frame owns a whole number of samples");
        }
    }

    /** The spec a model's manifest asks for, with the job's detector settings. */
    public static MediaSpec fromManifest(ModelManifest manifest, int detectEveryFrames, int detectSide) {
        Preprocessing p = manifest.preprocessing();
        return WindowSpec.fromManifest(manifest).mediaSpec(detectEveryFrames, detectSide);
    }

    public int samplesPerFrame() {
        return sampleRate / fps;
    }

    /** Bytes of one crop: width·height, times 3 for colour face crops. */
    public int cropPixels() {
        return cropWidth * cropHeight * (colour() ? 3 : 1);
    }

    /** Whether crops are colour (BGR) rather than grey. */
    public boolean colour() {
        return faceCrops || wholeFrames;
    }

    /** Start of grid frame {@code frame} in microseconds from the origin. */
    public long frameStartUs(long frame) {
        return frame * 1_000_000L / fps;
    }
}
