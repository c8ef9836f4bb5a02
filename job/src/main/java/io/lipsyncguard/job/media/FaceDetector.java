package io.lipsyncguard.job.media;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/** OpenCV's Haar frontal-face detector on a downscaled grayscale frame; owns its native cascade. */
public final class FaceDetector implements AutoCloseable {

    private final CascadeClassifier cascade = HaarCascades.frontalFace();
    private final int maxSide;
    private final Mat small = new Mat();
    private final Mat equalized = new Mat();

    /** Frames whose shorter side is longer than {@code maxSide} are downscaled to it before the search. */
    public FaceDetector(int maxSide) {
        this.maxSide = maxSide;
    }

    /** Faces as {x, y, w, h} in the coordinates of {@code gray} (CV_8UC1), searched over the whole frame. */
    public List<float[]> detect(Mat gray) {
        return detect(gray, null);
    }

    /**
     * As {@link #detect(Mat)}, but when {@code near} (a face box in the coordinates of {@code gray}) is given, only
     * faces of {@link #NEAR_MIN_SIZE}..{@link #NEAR_MAX_SIZE} times its side within {@link #NEAR_MARGIN} sides of it
     * are searched: the small scales of a full search are most of the cascade's work (about five times the cost on a
     * 320-pixel talking head), and a tracked face does not change size between detections.
     */
    public List<float[]> detect(Mat gray, float[] near) {
        // by the shorter side, so a 16:9 broadcast frame keeps the detail of its height (a landscape frame scaled by
        // its width lost faces under a seventh of the picture's height)
        int shorter = Math.min(gray.cols(), gray.rows());
        double scale = shorter > maxSide ? (double) maxSide / shorter : 1.0;
        Mat input = gray;
        if (scale < 1.0) {
            try (Size to = new Size((int) Math.round(gray.cols() * scale), (int) Math.round(gray.rows() * scale))) {
                opencv_imgproc.resize(gray, small, to, 0, 0, opencv_imgproc.INTER_AREA);
            }
            input = small;
        }
        opencv_imgproc.equalizeHist(input, equalized);
        int shortSide = Math.min(equalized.cols(), equalized.rows());
        int minSide = Math.max(24, shortSide / USUAL_FACE_FRACTION);
        Size max = new Size(); // closed below, whichever it ends up being
        int[] roi = {0, 0, equalized.cols(), equalized.rows()};
        if (near != null) {
            double side = Math.max(near[2], near[3]) * scale;
            minSide = (int) Math.max(24, Math.floor(side * NEAR_MIN_SIZE));
            max.close();
            max = new Size((int) Math.ceil(side * NEAR_MAX_SIZE), (int) Math.ceil(side * NEAR_MAX_SIZE));
            roi = nearRegion(near, scale, side, equalized.cols(), equalized.rows());
        }
        List<float[]> boxes = new ArrayList<>();
        try (Size maxSize = max) {
            if (roi[2] < minSide || roi[3] < minSide) {
                return boxes;
            }
            try (Rect rect = new Rect(roi[0], roi[1], roi[2], roi[3]); Mat region = new Mat(equalized, rect)) {
                search(region, minSide, maxSize, roi, scale, boxes);
                int smallest = Math.max(24, shortSide / MIN_FACE_FRACTION);
                if (near == null && boxes.isEmpty() && smallest < minSide) {
                    // the small scales cost most of a search: only when no usual-sized face is there (a wide shot)
                    try (Size upTo = new Size(minSide, minSide)) {
                        search(region, smallest, upTo, roi, scale, boxes);
                    }
                }
            }
        }
        return boxes;
    }

    private void search(Mat region, int minSide, Size max, int[] roi, double scale, List<float[]> boxes) {
        try (RectVector found = new RectVector()) {
            try (Size min = new Size(minSide, minSide)) {
                cascade.detectMultiScale(region, found, 1.1, 4, 0, min, max);
            }
            for (long i = 0; i < found.size(); i++) {
                Rect r = found.get(i);
                boxes.add(new float[] {(float) ((r.x() + roi[0]) / scale), (float) ((r.y() + roi[1]) / scale),
                        (float) (r.width() / scale), (float) (r.height() / scale)});
            }
        }
    }

    /** A whole-frame search looks for faces of at least this fraction of the frame's shorter side first... */
    public static final int USUAL_FACE_FRACTION = 8;
    /** ...and, when it finds none, down to this fraction (and never under the cascade's 24 pixels). */
    public static final int MIN_FACE_FRACTION = 12;

    /** Smallest face searched near a tracked one, as a fraction of its side. */
    public static final double NEAR_MIN_SIZE = 0.6;
    /** Largest face searched near a tracked one, as a multiple of its side. */
    public static final double NEAR_MAX_SIZE = 1.6;
    /** How far around a tracked face the search reaches, in its sides. */
    public static final double NEAR_MARGIN = 0.5;

    /** The search rectangle {x, y, w, h} in the detector's (scaled) image around a tracked box, clamped to it. */
    static int[] nearRegion(float[] near, double scale, double side, int cols, int rows) {
        double margin = side * NEAR_MARGIN;
        int x0 = (int) Math.max(0, Math.floor(near[0] * scale - margin));
        int y0 = (int) Math.max(0, Math.floor(near[1] * scale - margin));
        int x1 = (int) Math.min(cols, Math.ceil((near[0] + near[2]) * scale + margin));
        int y1 = (int) Math.min(rows, Math.ceil((near[1] + near[3]) * scale + margin));
        return new int[] {x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)};
    }

    @Override
    public void close() {
        cascade.close();
        small.close();
        equalized.close();
    }
}
