package io.lipsyncguard.job.media;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.javacpp.BytePointer;

/**
 * LipFD's input, built exactly as its reference does (AaronComo/LipFD {@code preprocess.py} and
 * {@code data/datasets.py}); each constant says where it comes from.
 *
 * <ol>
 *   <li>Mel strip: the clip's dB mel spectrogram ({@link LibrosaMel}) coloured with viridis over the clip's min..max
 *       ({@code plt.imsave}), columns {@code round(start·mapping)..round((start+5)·mapping)} with mapping = mel columns
 *       / frame count (numpy rounding: half to even), resized to 2500×500 with OpenCV's bilinear resize.</li>
 *   <li>Frames: each whole frame resized to 500×500 (bilinear), the five side by side under the strip: a 1000×2500
 *       image. The reference saves it as PNG and reads it back with {@code cv2.imread}, so the model sees BGR.</li>
 *   <li>Model inputs (raw 0..255, the reference's CLIP normalisation being computed and discarded): the composite
 *       resized to 1120×1120, and crops {@code composite[500:, i:i+500]} for i = 0..4 (the reference's offsets; the
 *       evident intent {@code i·500} is not what the checkpoint was trained with) resized to 224, plus their centres
 *       [28:196] and [61:163] resized to 224 (scales 1.0, 0.65, 0.45), all with torch's bilinear resize
 *       (align_corners=False, no antialias, as torchvision 0.16 resizes tensors).</li>
 * </ol>
 */
public final class LipFdComposite {

    public static final int FRAME = 500;
    public static final int WINDOW = 5;
    public static final int HEIGHT = 2 * FRAME;
    public static final int WIDTH = WINDOW * FRAME;
    public static final int GLOBAL = 1120;
    public static final int CROP = 224;
    static final int[][] SCALE_CROPS = {{28, 196}, {61, 163}};

    private LipFdComposite() {}

    /** The viridis RGB bytes [128][columns][3] of a dB mel spectrogram, coloured over its own min..max. */
    public static byte[] viridisImage(float[][] db) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float[] row : db) {
            for (float v : row) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return viridisImage(db, min, max);
    }

    /** As {@link #viridisImage(float[][])} over a given min..max (the streaming variant passes a window's). */
    public static byte[] viridisImage(float[][] db, float min, float max) {
        int rows = db.length;
        int cols = db[0].length;
        byte[] out = new byte[rows * cols * 3];
        for (int m = 0; m < rows; m++) {
            for (int t = 0; t < cols; t++) {
                int rgb = Viridis.rgb(Viridis.index(db[m][t], min, max));
                int o = (m * cols + t) * 3;
                out[o] = (byte) (rgb >> 16);
                out[o + 1] = (byte) (rgb >> 8);
                out[o + 2] = (byte) rgb;
            }
        }
        return out;
    }

    /**
     * The mel columns of the window starting at frame {@code start}, {@code columnsPerFrame} columns per frame:
     * {round(start·c), round((start+5)·c)} with numpy's rounding (half to even), at least one column wide.
     */
    public static long[] columns(long start, double columnsPerFrame) {
        long begin = (long) Math.rint(start * columnsPerFrame);
        long end = Math.max(begin + 1, (long) Math.rint((start + WINDOW) * columnsPerFrame));
        return new long[] {begin, end};
    }

    /**
     * The 1000×2500 composite as BGR bytes, for the window starting at {@code start} of a clip with
     * {@code frameCount} frames: {@code melRgb} is the clip's viridis image ([128][cols][3] RGB), {@code framesBgr} the
     * window's five decoded frames (BGR, any size, {@code widths}/{@code heights} each).
     */
    public static byte[] composite(byte[] melRgb, int melCols, int start, int frameCount, byte[][] framesBgr,
            int[] widths, int[] heights) {
        long[] cols = columns(start, (double) melCols / frameCount);
        int begin = (int) cols[0];
        int end = (int) cols[1];
        byte[] slice = new byte[LibrosaMel.N_MELS * (end - begin) * 3];
        for (int m = 0; m < LibrosaMel.N_MELS; m++) {
            System.arraycopy(melRgb, (m * melCols + begin) * 3, slice, m * (end - begin) * 3, (end - begin) * 3);
        }
        return fromSlice(slice, end - begin, framesBgr, widths, heights);
    }

    /**
     * The streaming-causal variant's normalisation: dB relative to the window's own minimum and viridis over the
     * window's own range, instead of the whole clip's (which a live stream does not have yet). {@code power} is the
     * mel power spectrogram; returns the window's coloured slice for {@link #fromSlice}.
     */
    public static byte[] causalSlice(float[][] power, int begin, int end) {
        float[][] slice = new float[power.length][];
        for (int m = 0; m < power.length; m++) {
            slice[m] = java.util.Arrays.copyOfRange(power[m], begin, end);
        }
        return viridisImage(LibrosaMel.powerToDbRefMin(slice));
    }

    /** The composite from an already coloured mel slice ([128][cols][3] RGB) and the window's five frames. */
    public static byte[] fromSlice(byte[] sliceRgb, int sliceCols, byte[][] framesBgr, int[] widths, int[] heights) {
        byte[] out = new byte[HEIGHT * WIDTH * 3];
        // the native copies are freed here, not when a GC happens to run: some 4 MB per window
        try (BytePointer sliceBytes = new BytePointer(sliceRgb);
                Mat slice = new Mat(LibrosaMel.N_MELS, sliceCols, org.bytedeco.opencv.global.opencv_core.CV_8UC3,
                        sliceBytes); Mat strip = new Mat(); Size size = new Size(WIDTH, FRAME)) {
            opencv_imgproc.resize(slice, strip, size, 0, 0, opencv_imgproc.INTER_LINEAR);
            byte[] rgb = new byte[WIDTH * FRAME * 3];
            strip.data().get(rgb);
            for (int p = 0; p < WIDTH * FRAME; p++) { // RGB written to PNG and read back by cv2 as BGR
                out[p * 3] = rgb[p * 3 + 2];
                out[p * 3 + 1] = rgb[p * 3 + 1];
                out[p * 3 + 2] = rgb[p * 3];
            }
        }
        for (int f = 0; f < WINDOW; f++) {
            try (BytePointer frameBytes = new BytePointer(framesBgr[f]);
                    Mat frame = new Mat(heights[f], widths[f], org.bytedeco.opencv.global.opencv_core.CV_8UC3,
                            frameBytes); Mat small = new Mat(); Size size = new Size(FRAME, FRAME)) {
                opencv_imgproc.resize(frame, small, size, 0, 0, opencv_imgproc.INTER_LINEAR);
                byte[] bgr = new byte[FRAME * FRAME * 3];
                small.data().get(bgr);
                for (int y = 0; y < FRAME; y++) {
                    System.arraycopy(bgr, y * FRAME * 3, out, ((FRAME + y) * WIDTH + f * FRAME) * 3, FRAME * 3);
                }
            }
        }
        return out;
    }

    /** The global input [3][1120][1120] (channel planes B, G, R; raw 0..255) of a composite. */
    public static float[] globalInput(byte[] compositeBgr) {
        float[] planes = planes(compositeBgr, HEIGHT, WIDTH);
        return resizeBilinear(planes, 3, HEIGHT, WIDTH, GLOBAL, GLOBAL);
    }

    /** The region crops [3 scales][5 frames][3][224][224] of a composite. */
    public static float[] cropsInput(byte[] compositeBgr) {
        float[] planes = planes(compositeBgr, HEIGHT, WIDTH);
        int plane = CROP * CROP * 3;
        float[] out = new float[3 * WINDOW * plane];
        for (int i = 0; i < WINDOW; i++) {
            float[] region = cut(planes, 3, HEIGHT, WIDTH, FRAME, HEIGHT, i, i + FRAME);
            float[] base = resizeBilinear(region, 3, FRAME, FRAME, CROP, CROP);
            System.arraycopy(base, 0, out, (0 * WINDOW + i) * plane, plane);
            for (int s = 0; s < SCALE_CROPS.length; s++) {
                int a = SCALE_CROPS[s][0];
                int b = SCALE_CROPS[s][1];
                float[] centre = cut(base, 3, CROP, CROP, a, b, a, b);
                System.arraycopy(resizeBilinear(centre, 3, b - a, b - a, CROP, CROP), 0, out,
                        ((s + 1) * WINDOW + i) * plane, plane);
            }
        }
        return out;
    }

    /** Interleaved bytes → channel planes of floats. */
    static float[] planes(byte[] interleaved, int h, int w) {
        float[] out = new float[3 * h * w];
        for (int p = 0; p < h * w; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * h * w + p] = interleaved[p * 3 + c] & 0xff;
            }
        }
        return out;
    }

    /** Rows y0..y1 and columns x0..x1 of channel planes. */
    static float[] cut(float[] planes, int channels, int h, int w, int y0, int y1, int x0, int x1) {
        int oh = y1 - y0;
        int ow = x1 - x0;
        float[] out = new float[channels * oh * ow];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < oh; y++) {
                System.arraycopy(planes, c * h * w + (y0 + y) * w + x0, out, c * oh * ow + y * ow, ow);
            }
        }
        return out;
    }

    /**
     * torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False): source coordinate
     * (dst + 0.5)·scale − 0.5 clamped at 0, neighbours clamped at the edge, computed in float as torch does on CPU.
     */
    public static float[] resizeBilinear(float[] in, int channels, int h, int w, int oh, int ow) {
        float[] out = new float[channels * oh * ow];
        float sh = (float) h / oh;
        float sw = (float) w / ow;
        int[] x0 = new int[ow];
        int[] x1 = new int[ow];
        float[] lx = new float[ow];
        for (int x = 0; x < ow; x++) {
            float src = Math.max(0f, (x + 0.5f) * sw - 0.5f);
            x0[x] = Math.min((int) src, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            lx[x] = src - x0[x];
        }
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < oh; y++) {
                float src = Math.max(0f, (y + 0.5f) * sh - 0.5f);
                int y0 = Math.min((int) src, h - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                float ly = src - y0;
                int r0 = c * h * w + y0 * w;
                int r1 = c * h * w + y1 * w;
                for (int x = 0; x < ow; x++) {
                    float top = (1 - lx[x]) * in[r0 + x0[x]] + lx[x] * in[r0 + x1[x]];
                    float bottom = (1 - lx[x]) * in[r1 + x0[x]] + lx[x] * in[r1 + x1[x]];
                    out[c * oh * ow + y * ow + x] = (1 - ly) * top + ly * bottom;
                }
            }
        }
        return out;
    }
}
