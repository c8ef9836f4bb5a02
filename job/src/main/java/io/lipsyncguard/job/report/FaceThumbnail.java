package io.lipsyncguard.job.report;

import io.lipsyncguard.job.media.DisplayRotation;
import io.lipsyncguard.job.media.FaceDetector;
import io.lipsyncguard.job.media.FaceTrack;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** A thumbnail of the tracked face at one media time: the frame decoded with FFmpeg, the face found by OpenCV. */
public final class FaceThumbnail {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private FaceThumbnail() {}

    /**
     * A {@code size}×{@code size} image of the largest face in the frame at {@code atMs}, with a margin around it; the
     * whole frame (letterboxed) when no face is found; null when the file has no decodable picture there.
     */
    public static BufferedImage at(Path file, long atMs, int size) {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
                Java2DFrameConverter toImage = new Java2DFrameConverter();
                OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat();
                FaceDetector detector = new FaceDetector(320);
                Mat gray = new Mat();
                Mat upright = new Mat()) {
            grabber.start();
            int rotation = DisplayRotation.rotateCode(grabber.getDisplayRotation());
            if (atMs > 0) {
                grabber.setTimestamp(atMs * 1000L);
            }
            Frame frame = grabber.grabImage();
            if (frame == null || frame.image == null) {
                return null;
            }
            // upright as a player shows it (phones store portrait video sideways)
            Mat bgr = DisplayRotation.apply(toMat.convert(frame), rotation, upright);
            BufferedImage picture = deepCopy(toImage.convert(toMat.convert(bgr)));
            opencv_imgproc.cvtColor(bgr, gray, bgr.channels() == 4 ? opencv_imgproc.COLOR_BGRA2GRAY
                    : opencv_imgproc.COLOR_BGR2GRAY);
            List<float[]> faces = detector.detect(gray);
            grabber.stop();
            float[] face = faces.stream().max((a, b) -> Float.compare(a[2] * a[3], b[2] * b[3])).orElse(null);
            return crop(picture, face, size);
        } catch (Exception e) {
            return null;
        }
    }

    /** The square around the face ({@link FaceTrack#square}) scaled to size×size, or the whole picture. */
    static BufferedImage crop(BufferedImage picture, float[] face, int size) {
        int x = 0;
        int y = 0;
        int w = picture.getWidth();
        int h = picture.getHeight();
        if (face != null) {
            int[] r = FaceTrack.square(face, picture.getWidth(), picture.getHeight());
            x = r[0];
            y = r[1];
            w = r[2];
            h = r[3];
        }
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, size, size);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        double scale = Math.min((double) size / w, (double) size / h);
        int dw = (int) Math.round(w * scale);
        int dh = (int) Math.round(h * scale);
        g.drawImage(picture.getSubimage(x, y, w, h), (size - dw) / 2, (size - dh) / 2, dw, dh, null);
        g.dispose();
        return out;
    }

    private static BufferedImage deepCopy(BufferedImage src) {
        BufferedImage copy = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = copy.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return copy;
    }
}
