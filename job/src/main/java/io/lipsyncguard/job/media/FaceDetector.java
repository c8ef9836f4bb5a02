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
    private final int maxWidth;
    private final Mat small = new Mat();
    private final Mat equalized = new Mat();

    public FaceDetector(int maxWidth) {
        this.maxWidth = maxWidth;
    }

    /** Faces as {x, y, w, h} in the coordinates of {@code gray} (CV_8UC1). */
    public List<float[]> detect(Mat gray) {
        double scale = gray.cols() > maxWidth ? (double) maxWidth / gray.cols() : 1.0;
        Mat input = gray;
        if (scale < 1.0) {
            opencv_imgproc.resize(gray, small,
                    new Size((int) Math.round(gray.cols() * scale), (int) Math.round(gray.rows() * scale)), 0, 0,
                    opencv_imgproc.INTER_AREA);
            input = small;
        }
        opencv_imgproc.equalizeHist(input, equalized);
        int minSide = Math.max(24, Math.min(equalized.cols(), equalized.rows()) / 8);
        List<float[]> boxes = new ArrayList<>();
        try (RectVector found = new RectVector()) {
            cascade.detectMultiScale(equalized, found, 1.1, 4, 0, new Size(minSide, minSide), new Size());
            for (long i = 0; i < found.size(); i++) {
                Rect r = found.get(i);
                boxes.add(new float[] {(float) (r.x() / scale), (float) (r.y() / scale), (float) (r.width() / scale),
                        (float) (r.height() / scale)});
            }
        }
        return boxes;
    }

    @Override
    public void close() {
        cascade.close();
        small.close();
        equalized.close();
    }
}
