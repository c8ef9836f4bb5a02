package io.lipsyncguard.job.media;

import java.util.List;

/**
 * Pure rules that turn per-detection face boxes into one smoothed track: which face is the dominant one, how the box
 * moves between detections, and how many faces of similar size are present.
 */
public final class FaceTrack {

    /** Boxes this close in size to the dominant one count as another speaker. */
    public static final double SIMILAR_AREA = 0.5;

    private FaceTrack() {}

    /**
     * The dominant face among {@code boxes} ({x, y, w, h} each): the largest, except that a face overlapping the
     * previous track (IoU ≥ 0.3) wins over a larger newcomer up to 1.5× its area, so the track does not jump between
     * two similar faces. Returns -1 when there are no boxes.
     */
    public static int dominant(List<float[]> boxes, float[] previous) {
        int best = -1;
        double bestScore = -1;
        for (int i = 0; i < boxes.size(); i++) {
            float[] b = boxes.get(i);
            double score = (double) b[2] * b[3];
            if (previous != null && iou(b, previous) >= 0.3) {
                score *= 1.5;
            }
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    /** Faces whose area is at least {@link #SIMILAR_AREA} of the largest one. */
    public static int similarSized(List<float[]> boxes) {
        double max = 0;
        for (float[] b : boxes) {
            max = Math.max(max, (double) b[2] * b[3]);
        }
        int n = 0;
        for (float[] b : boxes) {
            if ((double) b[2] * b[3] >= SIMILAR_AREA * max) {
                n++;
            }
        }
        return n;
    }

    /** Detections overlapping the track at least this much leave the box where it is. */
    public static final double HOLD_IOU = 0.75;

    /**
     * Hysteresis and smoothing of the box against detector jitter: a detection that mostly overlaps the track leaves
     * the box still, because every box move shifts the mouth crop and reads as mouth motion; a moderate move is
     * smoothed; a box that no longer overlaps is a cut or a new face and replaces it outright.
     */
    public static float[] smooth(float[] previous, float[] detected, float alpha) {
        if (previous == null || iou(previous, detected) < 0.3) {
            return detected.clone();
        }
        if (iou(previous, detected) >= HOLD_IOU) {
            return previous;
        }
        float[] s = new float[4];
        for (int i = 0; i < 4; i++) {
            s[i] = alpha * detected[i] + (1 - alpha) * previous[i];
        }
        return s;
    }

    /** Intersection over union of two {x, y, w, h} boxes. */
    public static double iou(float[] a, float[] b) {
        double x0 = Math.max(a[0], b[0]);
        double y0 = Math.max(a[1], b[1]);
        double x1 = Math.min(a[0] + a[2], b[0] + b[2]);
        double y1 = Math.min(a[1] + a[3], b[1] + b[3]);
        double inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
        double union = (double) a[2] * a[3] + (double) b[2] * b[3] - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /**
     * Whether a {@code toW}×{@code toH} picture can be the {@code fromW}×{@code fromH} one scaled (another rendition
     * of a stream: aspect within 2 %), not a picture turned or cropped otherwise.
     */
    public static boolean sameShape(int fromW, int fromH, int toW, int toH) {
        double from = (double) fromW / fromH;
        double to = (double) toW / toH;
        return Math.abs(from - to) <= 0.02 * from;
    }

    /** {@code box} of a {@code fromW}×{@code fromH} picture in the same picture scaled to {@code toW}×{@code toH}. */
    public static float[] rescale(float[] box, int fromW, int fromH, int toW, int toH) {
        float sx = (float) toW / fromW;
        float sy = (float) toH / fromH;
        return new float[] {box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy};
    }

    /** How much larger than the detected face box the square around it is (syncnet_python pads its detections). */
    public static final float SQUARE_MARGIN = 1.3f;

    /**
     * The square {x, y, w, h} around a face box, {@link #SQUARE_MARGIN} times its longer side, centred on it and
     * clipped to a frame of the given size: the face crop SyncNet-style models and the report thumbnails take.
     */
    public static int[] square(float[] box, int frameWidth, int frameHeight) {
        int[] s = unclippedSquare(box);
        int x = Math.max(0, s[0]);
        int y = Math.max(0, s[1]);
        return new int[] {x, y, Math.min(s[0] + s[2], frameWidth) - x, Math.min(s[1] + s[3], frameHeight) - y};
    }

    /** The same square {x, y, side, side} before clipping: it may reach beyond the frame. */
    public static int[] unclippedSquare(float[] box) {
        int side = Math.round(Math.max(box[2], box[3]) * SQUARE_MARGIN);
        int x = Math.round(box[0] + box[2] / 2 - side / 2f);
        int y = Math.round(box[1] + box[3] / 2 - side / 2f);
        return new int[] {x, y, side, side};
    }
}
