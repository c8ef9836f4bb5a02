package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Haar detector's whole-frame and near (tracking) searches on a real encoded frame of a rendered face. */
class FaceDetectorTest {

    @TempDir
    static Path dir;

    static Mat gray;
    static FaceDetector detector;

    @BeforeAll
    static void decodeOneFrame() throws Exception {
        Path file = dir.resolve("face.mp4");
        TalkingHeadGenerator.write(file, SampleSpec.inSync(3, 1));
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            g.setImageMode(FrameGrabber.ImageMode.GRAY);
            g.start();
            Frame f = g.grabImage();
            gray = converter.convert(f).clone();
            g.stop();
        }
        detector = new FaceDetector(320);
    }

    @AfterAll
    static void close() {
        detector.close();
        gray.close();
    }

    @Test
    void theNearSearchFindsTheTrackedFaceWhereTheFullSearchDoes() {
        List<float[]> full = detector.detect(gray);
        assertThat(full).hasSize(1);
        List<float[]> near = detector.detect(gray, full.get(0));
        assertThat(near).hasSize(1);
        assertThat(FaceTrack.iou(near.get(0), full.get(0))).isGreaterThan(0.8);
    }

    @Test
    void theNearSearchLooksOnlyAroundTheTrackedBox() {
        float[] face = detector.detect(gray).get(0);
        // a box of the same size in the far corner: the face lies outside the searched region
        float[] elsewhere = {gray.cols() - face[2] * 0.5f, gray.rows() - face[3] * 0.5f, face[2], face[3]};
        assertThat(detector.detect(gray, elsewhere)).isEmpty();
        // a box a third of the face's size at its place: the real face is beyond the searched sizes
        float[] tiny = {face[0] + face[2] / 3, face[1] + face[3] / 3, face[2] / 3, face[3] / 3};
        assertThat(detector.detect(gray, tiny)).isEmpty();
    }

    @Test
    void onlyTheFullSearchSeesASecondFace() {
        try (MatVector both = new MatVector(gray, gray); Mat twoFaces = new Mat()) {
            opencv_core.hconcat(both, twoFaces);
            FaceDetector wide = new FaceDetector(twoFaces.cols());
            try {
                List<float[]> full = wide.detect(twoFaces);
                assertThat(full).hasSize(2);
                assertThat(FaceTrack.similarSized(full)).isEqualTo(2);
                assertThat(wide.detect(twoFaces, full.get(0))).hasSize(1);
            } finally {
                wide.close();
            }
        }
    }

    @Test
    void aSmallFaceInAWideBroadcastFrameIsFound() {
        // the rendered head at 200 px in a 1920x1080 frame: about a ninth of the picture's height
        try (Mat wide = new Mat(1080, 1920, opencv_core.CV_8UC1, new Scalar(128.0));
                Mat small = new Mat();
                Mat region = new Mat(wide, new Rect(900, 400, 200, 200))) {
            opencv_imgproc.resize(gray, small, new Size(200, 200), 0, 0, opencv_imgproc.INTER_AREA);
            small.copyTo(region);
            List<float[]> found = detector.detect(wide);
            assertThat(found).hasSize(1);
            assertThat(found.get(0)[0]).isBetween(880f, 1100f);
            assertThat(found.get(0)[1]).isBetween(380f, 600f);
        }
    }

    @Test
    void theNearRegionIsClampedToTheImage() {
        // box scaled by 0.5 is (5, 10, 50, 50); half a side (25) around it, clamped to the 160x120 image
        assertThat(FaceDetector.nearRegion(new float[] {10, 20, 100, 100}, 0.5, 50, 160, 120))
                .containsExactly(0, 0, 80, 85);
        // (100, 75, 50, 50): 75..175 x 50..150, clamped on the right and at the bottom
        assertThat(FaceDetector.nearRegion(new float[] {200, 150, 100, 100}, 0.5, 50, 160, 120))
                .containsExactly(75, 50, 85, 70);
    }
}
