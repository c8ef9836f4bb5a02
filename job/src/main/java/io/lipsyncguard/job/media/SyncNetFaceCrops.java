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

/**
 * SyncNet's face crops from a video file: the first {@code n} decoded frames, the largest face of the first frame
 * (grown to a square 1.3× its size, as syncnet_python's pipeline pads its detections), each resized to 224×224 and
 * kept as interleaved BGR bytes, OpenCV's order, which is the order syncnet_python feeds its network.
 */
public final class SyncNetFaceCrops {

    private SyncNetFaceCrops() {}

    public static byte[][] read(Path file, int n) throws IOException {
        MediaSpec spec = new MediaSpec(25, 16000, SyncNetTensors.SIZE, SyncNetTensors.SIZE, 1, 320, true);
        List<byte[]> out = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
                OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat();
                FaceDetector detector = new FaceDetector(320);
                Mat gray = new Mat();
                Mat resized = new Mat();
                Mat upright = new Mat()) {
            grabber.start();
            int rotation = DisplayRotation.rotateCode(grabber.getDisplayRotation());
            float[] box = null;
            Frame frame;
            while (out.size() < n && (frame = grabber.grabImage()) != null) {
                Mat bgr = DisplayRotation.apply(toMat.convert(frame), rotation, upright);
                if (box == null) {
                    opencv_imgproc.cvtColor(bgr, gray, opencv_imgproc.COLOR_BGR2GRAY);
                    box = detector.detect(gray).stream()
                            .max((a, b) -> Float.compare(a[2] * a[3], b[2] * b[3]))
                            .orElseThrow(() -> new IOException("no face in the first frame of " + file));
                }
                // the job's own face-crop geometry, so the parity test covers what the job feeds the model
                out.add(MediaFeatureExtractor.faceCrop(bgr, box, spec, resized));
            }
            grabber.stop();
        }
        if (out.size() < n) {
            throw new IOException(file + " has only " + out.size() + " frames, " + n + " needed");
        }
        return out.toArray(new byte[0][]);
    }
}
