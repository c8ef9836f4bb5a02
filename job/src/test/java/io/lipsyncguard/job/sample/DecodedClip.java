package io.lipsyncguard.job.sample;

import static org.bytedeco.opencv.global.opencv_core.mean;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.equalizeHist;

import io.lipsyncguard.job.media.HaarCascades;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * Test helper: what FFmpegFrameGrabber decodes from a clip (frame count, rates, mono audio on the video's time
 * line, Haar face hits) and the envelope/correlation maths the sync assertions use.
 *
 * @param audio     mono samples placed by their timestamps relative to the first video frame (empty without audio)
 * @param mouthBand per video frame, the mean grey level of the mouth band of the largest detected face box (the middle
 *                  half of its width, 62–95 % of its height, as the job's mouth crop takes it); NaN without a face
 */
public record DecodedClip(int videoFrames, double frameRate, long lengthUs, int sampleRate, int audioChannels,
        float[] audio, int framesWithFace, double[] mouthBand) {

    /**
     * Decodes {@code file}; with {@code detectFaces}, runs the Haar frontal-face cascade on every frame with the job's
     * settings (histogram-equalised grey frame, scale step 1.1, 4 neighbours, faces of at least 40 pixels).
     */
    public static DecodedClip decode(Path file, boolean detectFaces) throws IOException {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                Mat gray = new Mat();
                Mat equalized = new Mat();
                RectVector faces = new RectVector();
                Size minSize = new Size(40, 40);
                Size maxSize = new Size()) {
            grabber.setSampleMode(FrameGrabber.SampleMode.FLOAT);
            grabber.start();
            CascadeClassifier cascade = detectFaces ? HaarCascades.frontalFace() : null;
            try {
                int sampleRate = grabber.getSampleRate();
                int channels = grabber.getAudioChannels();
                float[] audio = new float[0];
                int audioEnd = 0;
                long firstVideoUs = Long.MIN_VALUE;
                long firstAudioUs = Long.MIN_VALUE;
                int videoFrames = 0;
                int withFace = 0;
                double[] mouthBand = new double[64];
                // Audio placed by timestamp before the first video frame is known is kept relative to the first audio
                // frame, then moved once the video start is known.
                Frame frame;
                while ((frame = grabber.grabFrame(true, true, true, false)) != null) {
                    if (frame.image != null) {
                        if (firstVideoUs == Long.MIN_VALUE) {
                            firstVideoUs = frame.timestamp;
                        }
                        if (videoFrames == mouthBand.length) {
                            mouthBand = Arrays.copyOf(mouthBand, 2 * mouthBand.length);
                        }
                        mouthBand[videoFrames] = Double.NaN;
                        if (cascade != null) {
                            cvtColor(converter.convert(frame), gray, COLOR_BGR2GRAY);
                            equalizeHist(gray, equalized);
                            cascade.detectMultiScale(equalized, faces, 1.1, 4, 0, minSize, maxSize);
                            if (faces.size() > 0) {
                                withFace++;
                                mouthBand[videoFrames] = mouthBandLevel(gray, largest(faces));
                            }
                        }
                        videoFrames++;
                    } else if (frame.samples != null && sampleRate > 0) {
                        if (firstAudioUs == Long.MIN_VALUE) {
                            firstAudioUs = frame.timestamp;
                        }
                        FloatBuffer buf = (FloatBuffer) frame.samples[0];
                        int n = buf.remaining() / Math.max(1, channels);
                        int at = (int) Math.round((frame.timestamp - firstAudioUs) * 1e-6 * sampleRate);
                        if (at + n > audio.length) {
                            audio = Arrays.copyOf(audio, Math.max(2 * audio.length, at + n));
                        }
                        for (int i = 0; i < n; i++) {
                            audio[at + i] = buf.get(buf.position() + i * channels); // first channel
                        }
                        audioEnd = Math.max(audioEnd, at + n);
                    }
                }
                audio = Arrays.copyOf(audio, audioEnd);
                if (firstAudioUs != Long.MIN_VALUE && firstVideoUs != Long.MIN_VALUE) {
                    audio = onVideoTimeline(audio, firstAudioUs - firstVideoUs, sampleRate);
                }
                return new DecodedClip(videoFrames, grabber.getFrameRate(), grabber.getLengthInTime(), sampleRate,
                        channels, audio, withFace, Arrays.copyOf(mouthBand, videoFrames));
            } finally {
                if (cascade != null) {
                    cascade.close();
                }
                grabber.stop();
            }
        }
    }

    private static Rect largest(RectVector faces) {
        Rect best = faces.get(0);
        for (long i = 1; i < faces.size(); i++) {
            if (faces.get(i).area() > best.area()) {
                best = faces.get(i);
            }
        }
        return best;
    }

    private static double mouthBandLevel(Mat gray, Rect face) {
        int x0 = Math.max(0, face.x() + face.width() / 4);
        int x1 = Math.min(gray.cols(), face.x() + face.width() * 3 / 4);
        int y0 = Math.max(0, face.y() + Math.round(0.62f * face.height()));
        int y1 = Math.min(gray.rows(), face.y() + Math.round(0.95f * face.height()));
        if (x1 - x0 < 2 || y1 - y0 < 2) {
            return Double.NaN;
        }
        try (Rect band = new Rect(x0, y0, x1 - x0, y1 - y0); Mat roi = new Mat(gray, band)) {
            return mean(roi).get(0);
        }
    }

    /** {@link #mouthBand()} with the frames without a face set to the average of the others. */
    public double[] mouthBandFilled() {
        double sum = 0;
        int n = 0;
        for (double v : mouthBand) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        double fill = n == 0 ? 0 : sum / n;
        double[] out = mouthBand.clone();
        for (int i = 0; i < out.length; i++) {
            if (Double.isNaN(out[i])) {
                out[i] = fill;
            }
        }
        return out;
    }

    private static float[] onVideoTimeline(float[] audio, long audioLeadUs, int sampleRate) {
        int offset = (int) Math.round(audioLeadUs * 1e-6 * sampleRate);
        if (offset == 0) {
            return audio;
        }
        float[] out = new float[Math.max(0, audio.length + offset)];
        for (int i = 0; i < out.length; i++) {
            int src = i - offset;
            out[i] = src >= 0 && src < audio.length ? audio[src] : 0;
        }
        return out;
    }

    /** Share of the video frames in which the cascade found at least one face. */
    public double faceRate() {
        return videoFrames == 0 ? 0 : (double) framesWithFace / videoFrames;
    }

    /** The decoded audio's RMS over each video frame's interval: frame i covers [i/fps, (i+1)/fps). */
    public double[] audioEnvelope(double fps) {
        int perFrame = (int) Math.round(sampleRate / fps);
        double[] env = new double[videoFrames];
        for (int i = 0; i < videoFrames; i++) {
            double sum = 0;
            int n = 0;
            for (int s = i * perFrame; s < (i + 1) * perFrame && s < audio.length; s++) {
                sum += (double) audio[s] * audio[s];
                n++;
            }
            env[i] = n == 0 ? 0 : Math.sqrt(sum / n);
        }
        return env;
    }

    /** Pearson correlation of {@code reference[i]} with {@code signal[i + lag]} over the frames both cover. */
    public static double correlation(double[] reference, double[] signal, int lag) {
        int from = Math.max(0, -lag);
        int to = Math.min(reference.length, signal.length - lag);
        int n = to - from;
        if (n < 3) {
            return 0;
        }
        double mx = 0;
        double my = 0;
        for (int i = from; i < to; i++) {
            mx += reference[i];
            my += signal[i + lag];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = from; i < to; i++) {
            double dx = reference[i] - mx;
            double dy = signal[i + lag] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    /** The lag in [-maxLag, maxLag] frames at which {@code signal} correlates best with {@code reference}. */
    public static int bestLag(double[] reference, double[] signal, int maxLag) {
        int best = 0;
        double bestCorr = Double.NEGATIVE_INFINITY;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double c = correlation(reference, signal, lag);
            if (c > bestCorr) {
                bestCorr = c;
                best = lag;
            }
        }
        return best;
    }

    /** The highest correlation of {@code signal} with {@code reference} over lags in [-maxLag, maxLag]. */
    public static double maxCorrelation(double[] reference, double[] signal, int maxLag) {
        double best = Double.NEGATIVE_INFINITY;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            best = Math.max(best, correlation(reference, signal, lag));
        }
        return best;
    }
}
