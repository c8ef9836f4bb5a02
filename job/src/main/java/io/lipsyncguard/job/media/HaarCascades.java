package io.lipsyncguard.job.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/** Loads OpenCV's Haar cascades that ship inside the bytedeco opencv jar. */
public final class HaarCascades {

    private static final String FRONTAL_FACE =
            "/org/bytedeco/opencv/linux-x86_64/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

    private static Path extracted;

    private HaarCascades() {}

    /** A new classifier for frontal faces; the caller owns and closes it. */
    public static CascadeClassifier frontalFace() {
        CascadeClassifier classifier = new CascadeClassifier(frontalFacePath().toString());
        if (classifier.empty()) {
            classifier.close();
            throw new IllegalStateException("OpenCV could not load the frontal-face cascade from " + frontalFacePath());
        }
        return classifier;
    }

    // OpenCV reads cascades from a file path only, so the jar resource is copied out once per JVM.
    static synchronized Path frontalFacePath() {
        if (extracted == null || !Files.exists(extracted)) {
            try (InputStream in = HaarCascades.class.getResourceAsStream(FRONTAL_FACE)) {
                if (in == null) {
                    throw new IllegalStateException("haarcascade_frontalface_default.xml is missing from the opencv jar");
                }
                Path file = Files.createTempFile("lipsync-haar-frontalface", ".xml");
                file.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                extracted = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return extracted;
    }
}
