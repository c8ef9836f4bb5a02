package io.lipsyncguard.models;

/**
 * Geometry and calibration of the sync-baseline correlator: window T, lag margin K, crop H x W, M mel frames per
 * video frame, B mel bins, and the logistic calibration (tolerance, bias, gap/peak weights, audio signal kind).
 */
public record SyncBaselineSpec(int windowFrames, int offsetMarginFrames, int height, int width,
                               int melFramesPerVideoFrame, int nMels, int toleranceFrames, double bias,
                               double weightGap, double weightPeak, String audioSignal) {

    public static final String DELTA = "delta";
    public static final String LEVEL = "level";

    public SyncBaselineSpec {
        if (windowFrames < 3) {
            throw new ModelContractException("windowFrames must be >= 3 but is " + windowFrames);
        }
        if (offsetMarginFrames < 1) {
            throw new ModelContractException("offsetMarginFrames must be >= 1 but is " + offsetMarginFrames);
        }
        if (height < 1 || width < 1 || melFramesPerVideoFrame < 1 || nMels < 1) {
            throw new ModelContractException("height, width, melFramesPerVideoFrame and nMels must be positive: "
                    + height + ", " + width + ", " + melFramesPerVideoFrame + ", " + nMels);
        }
        if (toleranceFrames < 0 || toleranceFrames >= offsetMarginFrames) {
            throw new ModelContractException("calibration.toleranceFrames must be in [0, offsetMarginFrames-1] = [0, "
                    + (offsetMarginFrames - 1) + "] but is " + toleranceFrames);
        }
        if (!DELTA.equals(audioSignal) && !LEVEL.equals(audioSignal)) {
            throw new ModelContractException("calibration.audioSignal must be 'delta' or 'level' but is '" + audioSignal + "'");
        }
        if (!Double.isFinite(bias) || !Double.isFinite(weightGap) || !Double.isFinite(weightPeak)) {
            throw new ModelContractException("calibration.bias/weightGap/weightPeak must be finite");
        }
    }

    /** Number of lags 2K+1 (curve length). */
    public int lags() {
        return 2 * offsetMarginFrames + 1;
    }

    /** Video frames covered by the audio input: window plus K context frames on each side. */
    public int paddedFrames() {
        return windowFrames + 2 * offsetMarginFrames;
    }

    /** Mel frames in the audio input: (T+2K)*M. */
    public int audioFrames() {
        return paddedFrames() * melFramesPerVideoFrame;
    }

    /** Same geometry with another calibration (for refitting). */
    public SyncBaselineSpec withCalibration(int toleranceFrames, double bias, double weightGap, double weightPeak,
                                            String audioSignal) {
        return new SyncBaselineSpec(windowFrames, offsetMarginFrames, height, width, melFramesPerVideoFrame, nMels,
                toleranceFrames, bias, weightGap, weightPeak, audioSignal);
    }
}
