package io.lipsyncguard.job.media;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * SyncNet's face crops from a video file: the first {@code n} decoded frames, the largest face of the first frame
 * (grown to a square 1.3× its size, as syncnet_python's pipeline pads its detections), each resized to 224×224 and
 * kept as interleaved BGR bytes, OpenCV's order, which is the order syncnet_python feeds its network.
 */
public final class SyncNetFaceCrops {

    private SyncNetFaceCrops() {}

    public static byte[][] read(Path file, int n) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
                OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat();
                FaceDetector detector = new FaceDetector(320);
                Mat gray = new Mat();
                Mat resized = new Mat()) {
            grabber.start();
            Rect box = null;
            Frame frame;
            while (out.size() < n && (frame = grabber.grabImage()) != null) {
                Mat bgr = toMat.convert(frame);
                if (box == null) {
                    opencv_imgproc.cvtColor(bgr, gray, opencv_imgproc.COLOR_BGR2GRAY);
                    float[] face = detector.detect(gray).stream()
                            .max((a, b) -> Float.compare(a[2] * a[3], b[2] * b[3]))
                            .orElseThrow(() -> new IOException("no face in the first frame of " + file));
                    int side = Math.round(Math.max(face[2], face[3]) * 1.3f);
                    int x = Math.max(0, Math.round(face[0] + face[2] / 2 - side / 2f));
                    int y = Math.max(0, Math.round(face[1] + face[3] / 2 - side / 2f));
                    box = new Rect(x, y, Math.min(side, bgr.cols() - x), Math.min(side, bgr.rows() - y));
                }
                try (Mat roi = new Mat(bgr, box)) {
                    opencv_imgproc.resize(roi, resized, new Size(SyncNetTensors.SIZE, SyncNetTensors.SIZE), 0, 0,
                            opencv_imgproc.INTER_LINEAR);
                }
                byte[] bytes = new byte[SyncNetTensors.SIZE * SyncNetTensors.SIZE * 3];
                resized.data().get(bytes);
                out.add(bytes);
            }
            grabber.stop();
        }
        if (out.size() < n) {
            throw new IOException(file + " has only " + out.size() + " frames, " + n + " needed");
        }
        return out.toArray(new byte[0][]);
    }
}
