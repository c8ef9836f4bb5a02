package io.lipsyncguard.job.media;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns decoded pictures upright as a player shows them: phones store portrait video sideways with a display-matrix
 * rotation, which FFmpeg's decoder leaves to the player (its command line applies it by default, the library does not).
 */
public final class DisplayRotation {

    private DisplayRotation() {}

    /**
     * The OpenCV rotate code for a display rotation in degrees counter-clockwise (as FFmpeg reports it, any sign), or
     * -1 when the picture is upright; rotations off a quarter turn snap to the nearest one.
     */
    public static int rotateCode(double degreesCounterClockwise) {
        if (!Double.isFinite(degreesCounterClockwise)) {
            return -1;
        }
        long quarters = Math.floorMod(Math.round(degreesCounterClockwise / 90.0), 4L);
        return switch ((int) quarters) {
            case 1 -> opencv_core.ROTATE_90_COUNTERCLOCKWISE;
            case 2 -> opencv_core.ROTATE_180;
            case 3 -> opencv_core.ROTATE_90_CLOCKWISE;
            default -> -1;
        };
    }

    /** {@code picture} itself when {@code code} is -1, else {@code picture} rotated into {@code out}. */
    public static Mat apply(Mat picture, int code, Mat out) {
        if (code < 0) {
            return picture;
        }
        opencv_core.rotate(picture, out, code);
        return out;
    }
}
