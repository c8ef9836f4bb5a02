package io.lipsyncguard.job.media;

/**
 * SyncNet's input tensors as syncnet_python builds them: 5-frame stacks of 224×224 BGR face crops as raw 0..255
 * floats in [C, T, H, W] order, and the 20 MFCC frames (0.2 s) of those five video frames as [1, 13, 20].
 */
public final class SyncNetTensors {

    public static final int SIZE = 224;
    public static final int STACK = 5;
    /** MFCC frames per video frame: 100 Hz over 25 fps. */
    public static final int MFCC_PER_FRAME = 4;

    private SyncNetTensors() {}

    /**
     * The stack of frames {@code start..start+4} from {@code crops} (each 224·224·3 bytes, interleaved BGR as OpenCV
     * stores them), as [3][5][224][224] floats: channel planes in B, G, R order.
     */
    public static float[] videoStack(byte[][] crops, int start) {
        int plane = SIZE * SIZE;
        float[] out = new float[3 * STACK * plane];
        for (int t = 0; t < STACK; t++) {
            byte[] crop = crops[start + t];
            if (crop.length != plane * 3) {
                throw new IllegalArgumentException("crop " + (start + t) + " has " + crop.length + " bytes, needs "
                        + plane * 3);
            }
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    out[(c * STACK + t) * plane + p] = crop[p * 3 + c] & 0xff;
                }
            }
        }
        return out;
    }

    /** As {@link #audioStack(double[][], int)} on MFCC rows stored flat, 13 floats per row. */
    public static float[] audioStack(float[] rows, int start) {
        int frames = STACK * MFCC_PER_FRAME;
        int c13 = SyncNetMfcc.COEFFICIENTS;
        float[] out = new float[c13 * frames];
        for (int f = 0; f < frames; f++) {
            int row = (start * MFCC_PER_FRAME + f) * c13;
            for (int c = 0; c < c13; c++) {
                out[c * frames + f] = rows[row + c];
            }
        }
        return out;
    }

    /** The MFCC block of the stack starting at video frame {@code start}: frames 4·start .. 4·start+19, [13][20]. */
    public static float[] audioStack(double[][] mfcc, int start) {
        int frames = STACK * MFCC_PER_FRAME;
        float[] out = new float[SyncNetMfcc.COEFFICIENTS * frames];
        for (int f = 0; f < frames; f++) {
            double[] row = mfcc[start * MFCC_PER_FRAME + f];
            for (int c = 0; c < SyncNetMfcc.COEFFICIENTS; c++) {
                out[c * frames + f] = (float) row[c];
            }
        }
        return out;
    }
}
