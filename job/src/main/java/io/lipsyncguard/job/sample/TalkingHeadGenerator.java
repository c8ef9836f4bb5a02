package io.lipsyncguard.job.sample;

import static org.bytedeco.opencv.global.opencv_core.CV_16SC3;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.RNG;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** Writes synthetic talking-head MP4 clips (drawn face, speech-like audio) with a known audio/lip relation. */
public final class TalkingHeadGenerator {

    /** Frame rate of every generated clip. */
    public static final int FPS = 25;
    /** Audio sample rate of every generated clip (mono). */
    public static final int SAMPLE_RATE = 16_000;
    /** Frame width and height in pixels. */
    public static final int SIZE = 320;

    private static final int SAMPLES_PER_FRAME = SAMPLE_RATE / FPS;
    // Well under the speech level (peak 0.7) yet not digital silence: real "silence" always has some hiss.
    private static final double NOISE_FLOOR = 0.0015;

    private TalkingHeadGenerator() {}

    /** Writes the clip described by {@code spec} to {@code out} (MP4; parent directories are created). */
    public static void write(Path out, SampleSpec spec) throws IOException {
        write(out, spec, videoEncoder());
    }

    /** As {@link #write(Path, SampleSpec)} with a given video encoder: libx264, libopenh264 or mpeg4. */
    static void write(Path out, SampleSpec spec, String encoder) throws IOException {
        write(out, spec, encoder, frame -> { });
    }

    /**
     * As {@link #write(Path, SampleSpec, String)}, calling {@code eachFrame} after each frame is recorded. The clip is
     * recorded under a hidden name beside {@code out} and renamed when complete: interrupted, a half-written clip
     * (no trailer, or shorter than asked) would otherwise stay where {@code evaluate} and {@code analyze} read it.
     */
    static void write(Path out, SampleSpec spec, String encoder, java.util.function.IntConsumer eachFrame)
            throws IOException {
        Path target = out.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial-" + System.nanoTime());
        try {
            record(partial, spec, encoder, eachFrame);
            Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static void record(Path out, SampleSpec spec, String encoder, java.util.function.IntConsumer eachFrame)
            throws IOException {
        // the encoders' stream dumps and rate statistics are info-level noise on the console of `sample` and `--demo`
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        int frames = Math.max(1, (int) Math.round(spec.seconds() * FPS));
        int totalSamples = frames * SAMPLES_PER_FRAME;
        float[] lipsAudio = fit(speechAudio(spec.seed(), spec.seconds(), SAMPLE_RATE), totalSamples, spec.seed());
        double[] mouth = Arrays.copyOf(mouthOpening(lipsAudio, SAMPLE_RATE, FPS), frames);
        float[] written = switch (spec.variant()) {
            case IN_SYNC, NO_FACE -> lipsAudio;
            case SHIFTED -> delay(lipsAudio, (int) Math.round(spec.audioShiftMs() * 1e-3 * SAMPLE_RATE), spec.seed());
            case SWAPPED -> fit(speechAudio(spec.swapSeed(), spec.seconds(), SAMPLE_RATE), totalSamples,
                    spec.swapSeed());
            case NO_AUDIO -> null;
        };

        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out.toFile(), SIZE, SIZE, written == null ? 0 : 1);
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                Mat canvas = new Mat(SIZE, SIZE, CV_8UC3)) {
            recorder.setFormat("mp4");
            recorder.setFrameRate(FPS);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setVideoCodecName(encoder);
            // A keyframe every second, as streaming encoders do, so the clip can be cut into decodable chunks.
            recorder.setGopSize(FPS);
            switch (encoder) {
                case "libx264" -> {
                    recorder.setVideoOption("preset", "veryfast");
                    recorder.setVideoOption("crf", "20");
                }
                case "libopenh264" -> {
                    // Bitrate-controlled; 1 Mb/s leaves no visible artefacts at 320x320.
                    recorder.setVideoBitrate(1_000_000);
                    recorder.setVideoOption("profile", "main");
                }
                default -> recorder.setVideoQuality(3); // MPEG-4 Part 2 qscale 3: few visible artefacts
            }
            if (written != null) {
                recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
                recorder.setSampleRate(SAMPLE_RATE);
                recorder.setAudioChannels(1);
                recorder.setAudioBitrate(48_000);
            }
            recorder.start();

            Scene scene = spec.variant() == SampleVariant.NO_FACE
                    ? new BouncingShapeScene(spec.seed())
                    : new TalkingHeadScene(spec.seed());
            try {
                for (int i = 0; i < frames; i++) {
                    // The scope frees the drawing temporaries; the recorder's own buffers stay outside it.
                    try (PointerScope scope = new PointerScope()) {
                        scene.render(canvas, i, (double) i / FPS, mouth[i]);
                    }
                    recorder.record(converter.convert(canvas));
                    if (written != null) {
                        float[] chunk = Arrays.copyOfRange(written, i * SAMPLES_PER_FRAME, (i + 1) * SAMPLES_PER_FRAME);
                        recorder.recordSamples(SAMPLE_RATE, 1, FloatBuffer.wrap(chunk));
                    }
                    eachFrame.accept(i);
                }
            } finally {
                scene.close();
            }
            recorder.stop();
        }
    }

    /**
     * Writes the five demo clips (8 s each, fixed seeds) into {@code dir}: {@code in_sync.mp4},
     * {@code shifted_400ms.mp4}, {@code swapped.mp4}, {@code no_face.mp4}, {@code no_audio.mp4}.
     */
    public static List<Path> writeDemoSet(Path dir) throws IOException {
        Files.createDirectories(dir);
        double seconds = 8;
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, SampleSpec> entry : List.of(
                Map.entry("in_sync.mp4", SampleSpec.inSync(11, seconds)),
                Map.entry("shifted_400ms.mp4", SampleSpec.shifted(12, seconds, 400)),
                Map.entry("swapped.mp4", SampleSpec.swapped(13, 1013, seconds)),
                Map.entry("no_face.mp4", SampleSpec.noFace(14, seconds)),
                Map.entry("no_audio.mp4", SampleSpec.noAudio(15, seconds)))) {
            Path file = dir.resolve(entry.getKey());
            write(file, entry.getValue());
            written.add(file);
        }
        return List.copyOf(written);
    }

    /** Audio shifts of the labelled set's shifted clips, cycled with alternating sign: all beyond the 200 ms rule. */
    private static final int[] LABELLED_SHIFTS_MS = {200, 320, 400, 600};

    /** Offset from a fake clip's seed to the seed of the unrelated speech its swapped audio comes from. */
    private static final long SWAP_SEED_OFFSET = 10_000;

    /**
     * Writes a labelled synthetic set in the layout {@code evaluate} reads: {@code perClass} in-sync clips under
     * {@code 0_real/} and as many manipulated ones under {@code 1_fake/}, alternately shifted (±200 to ±600 ms) and
     * swapped with unrelated speech. Real clips take seeds {@code firstSeed, firstSeed + 1, ...}, fakes the next
     * {@code perClass} seeds, so no fake shares its lips with a real clip. Returns the files in writing order.
     */
    public static List<Path> writeLabelledSet(Path dir, int perClass, long firstSeed, double seconds)
            throws IOException {
        if (perClass < 1) {
            throw new IllegalArgumentException("perClass must be >= 1 but is " + perClass);
        }
        Path real = Files.createDirectories(dir.resolve("0_real"));
        Path fake = Files.createDirectories(dir.resolve("1_fake"));
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < perClass; i++) {
            long seed = firstSeed + i;
            Path file = real.resolve("in_sync_" + seed + ".mp4");
            write(file, SampleSpec.inSync(seed, seconds));
            written.add(file);
        }
        for (int i = 0; i < perClass; i++) {
            long seed = firstSeed + perClass + i;
            Path file;
            if (i % 2 == 0) {
                int shift = LABELLED_SHIFTS_MS[(i / 2) % LABELLED_SHIFTS_MS.length] * ((i / 2) % 2 == 0 ? 1 : -1);
                file = fake.resolve("shifted_" + shift + "ms_" + seed + ".mp4");
                write(file, SampleSpec.shifted(seed, seconds, shift));
            } else {
                file = fake.resolve("swapped_" + seed + ".mp4");
                write(file, SampleSpec.swapped(seed, seed + SWAP_SEED_OFFSET, seconds));
            }
            written.add(file);
        }
        return List.copyOf(written);
    }

    /**
     * The video encoder the clips are written with: libx264 or libopenh264 (H.264) when the bundled FFmpeg has one,
     * else mpeg4 (MPEG-4 Part 2).
     */
    public static String videoEncoder() {
        for (String name : List.of("libx264", "libopenh264")) {
            if (avcodec.avcodec_find_encoder_by_name(name) != null) {
                return name;
            }
        }
        return "mpeg4";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Audio

    /** Five vowels as (F1, F2, F3) in Hz; enough spectral variety for speech-like timbre. */
    private static final double[][] VOWELS = {
        {730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480}, {570, 840, 2410},
    };

    /**
     * Speech-like mono audio in [-1, 1]: syllables (120–300 ms, about 3–5 per second while talking) of a voiced
     * harmonic source (f0 100–220 Hz with jitter) shaped by three formants, separated by short gaps and by
     * 200–600 ms pauses, over a low noise floor. The same seed always gives the same samples.
     */
    public static float[] speechAudio(long seed, double seconds, int sampleRate) {
        if (!(seconds > 0) || sampleRate <= 0) {
            throw new IllegalArgumentException("seconds and sampleRate must be positive");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = (int) Math.round(seconds * sampleRate);
        double[] speech = new double[n];
        double speakerF0 = 100 + rnd.nextDouble() * 120;
        int pos = (int) (rnd.nextDouble(0.05, 0.3) * sampleRate);
        int syllable = 0;
        while (pos < n) {
            int len = (int) (rnd.nextDouble(0.12, 0.30) * sampleRate);
            addSyllable(speech, pos, len, speakerF0, syllable++, rnd, sampleRate);
            pos += len;
            double gap = rnd.nextDouble() < 0.22 ? rnd.nextDouble(0.2, 0.6) : rnd.nextDouble(0.03, 0.09);
            pos += (int) (gap * sampleRate);
        }
        double peak = 1e-9;
        for (double s : speech) {
            peak = Math.max(peak, Math.abs(s));
        }
        float[] out = new float[n];
        double gain = 0.7 / peak;
        for (int i = 0; i < n; i++) {
            out[i] = (float) (speech[i] * gain + NOISE_FLOOR * rnd.nextGaussian());
        }
        return out;
    }

    private static void addSyllable(double[] out, int start, int len, double speakerF0, int index,
            SplittableRandom rnd, int sampleRate) {
        double[] formants = VOWELS[rnd.nextInt(VOWELS.length)];
        double loudness = rnd.nextDouble(0.45, 1.0);
        // Intonation: each syllable starts at its own pitch and glides up or down a little.
        double f0Start = speakerF0 * rnd.nextDouble(0.85, 1.2);
        double f0End = f0Start * rnd.nextDouble(0.85, 1.12);
        int attack = (int) (rnd.nextDouble(0.02, 0.05) * sampleRate);
        int release = (int) (rnd.nextDouble(0.04, 0.08) * sampleRate);
        int consonant = rnd.nextDouble() < 0.6 ? (int) (rnd.nextDouble(0.015, 0.05) * sampleRate) : 0;

        int maxHarmonic = (int) Math.min(40, (Math.min(4000, sampleRate / 2.0 - 200)) / (0.8 * f0Start));
        double[] harmonicGain = new double[maxHarmonic + 1];
        double meanF0 = 0.5 * (f0Start + f0End);
        for (int k = 1; k <= maxHarmonic; k++) {
            double f = k * meanF0;
            double g = 0;
            for (int j = 0; j < formants.length; j++) {
                double bw = 60 + 40 * j;
                double d = (f - formants[j]) / bw;
                g += (j == 0 ? 1.0 : 0.6 / j) / (1 + d * d);
            }
            // Glottal source tilt: higher harmonics are weaker.
            harmonicGain[k] = g / Math.sqrt(k);
        }

        double phase = rnd.nextDouble(0, 2 * Math.PI);
        double jitter = 0;
        double noiseState = 0;
        for (int i = 0; i < len && start + i < out.length; i++) {
            double progress = (double) i / len;
            jitter = 0.995 * jitter + 0.002 * rnd.nextGaussian();
            double f0 = (f0Start + (f0End - f0Start) * progress) * (1 + jitter);
            phase += 2 * Math.PI * f0 / sampleRate;
            if (phase > 2 * Math.PI * 1000) {
                phase -= 2 * Math.PI * 1000;
            }
            double voiced = 0;
            for (int k = 1; k <= maxHarmonic; k++) {
                if (harmonicGain[k] > 1e-4 && k * f0 < sampleRate / 2.0) {
                    voiced += harmonicGain[k] * Math.sin(k * phase);
                }
            }
            double env = 1;
            if (i < attack) {
                env = 0.5 - 0.5 * Math.cos(Math.PI * i / attack);
            } else if (i > len - release) {
                env = 0.5 - 0.5 * Math.cos(Math.PI * (len - i) / release);
            }
            double sample = voiced * env * loudness;
            if (i < consonant) {
                // A short fricative-like burst: differenced (high-passed) noise fading into the vowel.
                double white = rnd.nextGaussian();
                double hiss = white - noiseState;
                noiseState = white;
                sample += 0.25 * loudness * hiss * (1 - (double) i / consonant);
            }
            out[start + i] += sample;
        }
    }

    /**
     * Per video frame, how open the mouth is in [0, 1]: the RMS of the audio over an 80 ms window centred on the
     * frame's interval, smoothed over neighbouring frames and scaled so the loud syllables open it fully and
     * the noise floor keeps it closed. Frame i covers the audio from {@code i / fps} to {@code (i + 1) / fps}.
     */
    public static double[] mouthOpening(float[] audio, int sampleRate, double fps) {
        if (sampleRate <= 0 || !(fps > 0)) {
            throw new IllegalArgumentException("sampleRate and fps must be positive");
        }
        double samplesPerFrame = sampleRate / fps;
        int frames = (int) Math.round(audio.length / samplesPerFrame);
        double[] rms = new double[frames];
        for (int i = 0; i < frames; i++) {
            int from = Math.max(0, (int) Math.round(i * samplesPerFrame - 0.5 * samplesPerFrame));
            int to = Math.min(audio.length, (int) Math.round((i + 1.5) * samplesPerFrame));
            double sum = 0;
            for (int s = from; s < to; s++) {
                sum += (double) audio[s] * audio[s];
            }
            rms[i] = to > from ? Math.sqrt(sum / (to - from)) : 0;
        }
        double[] smooth = new double[frames];
        for (int i = 0; i < frames; i++) {
            double left = rms[Math.max(0, i - 1)];
            double right = rms[Math.min(frames - 1, i + 1)];
            smooth[i] = 0.25 * left + 0.5 * rms[i] + 0.25 * right;
        }
        double reference = percentile(smooth, 0.95);
        double[] opening = new double[frames];
        if (reference < 4 * NOISE_FLOOR) {
            return opening; // silence: the mouth stays shut
        }
        double gate = Math.max(0.1 * reference, 2 * NOISE_FLOOR);
        for (int i = 0; i < frames; i++) {
            double x = (smooth[i] - gate) / (reference - gate);
            opening[i] = Math.pow(Math.min(1, Math.max(0, x)), 0.7);
        }
        return opening;
    }

    private static double percentile(double[] values, double q) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    /** Audio of exactly {@code length} samples: trimmed, or padded with the noise floor. */
    private static float[] fit(float[] audio, int length, long seed) {
        if (audio.length == length) {
            return audio;
        }
        float[] out = Arrays.copyOf(audio, length);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = audio.length; i < length; i++) {
            out[i] = (float) (NOISE_FLOOR * rnd.nextGaussian());
        }
        return out;
    }

    /** {@code out[t] = audio[t - shift]}: positive shifts make the audio later; gaps get the noise floor. */
    private static float[] delay(float[] audio, int shift, long seed) {
        float[] out = new float[audio.length];
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        for (int t = 0; t < out.length; t++) {
            int src = t - shift;
            out[t] = src >= 0 && src < audio.length ? audio[src] : (float) (NOISE_FLOOR * rnd.nextGaussian());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Pictures

    /** Draws one video frame into a BGR canvas. */
    private abstract static class Scene implements AutoCloseable {
        final Mat background = new Mat(SIZE, SIZE, CV_8UC3);
        final Mat noise = new Mat(SIZE, SIZE, CV_16SC3);
        final Mat zero = new Mat(1, 1, CV_64F, new Scalar(0));
        final Mat sigma = new Mat(1, 1, CV_64F, new Scalar(1.6));
        final RNG rng;
        final SplittableRandom rnd;
        private double brightness;

        Scene(long seed) {
            rng = new RNG(seed);
            rnd = new SplittableRandom(seed * 31 + 7);
            // A plain studio wall lit from the upper left. The wide spread of grey levels matters: on a nearly flat
            // wall, histogram equalisation (common before Haar detection) blows codec blocks and sensor noise up into
            // face-like patterns.
            try (UByteIndexer px = background.createIndexer()) {
                double[] top = {175, 160, 140};
                double[] bottom = {70, 64, 58};
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        double v = 0.8 * y / SIZE + 0.2 * x / SIZE;
                        for (int c = 0; c < 3; c++) {
                            px.put(y, x, c, (int) Math.round(top[c] + (bottom[c] - top[c]) * v));
                        }
                    }
                }
            }
        }

        abstract void draw(Mat canvas, int frame, double t, double mouth);

        final void render(Mat canvas, int frame, double t, double mouth) {
            background.copyTo(canvas);
            draw(canvas, frame, t, mouth);
            // Camera realism: sensor noise on every pixel and a slowly drifting exposure.
            brightness = 0.9 * brightness + 0.1 * rnd.nextGaussian() * 4;
            canvas.convertTo(canvas, -1, 1.0, brightness);
            rng._fill(noise, RNG.NORMAL, zero, sigma);
            opencv_core.add(canvas, noise, canvas, new Mat(), CV_8U);
        }

        @Override
        public void close() {
            background.close();
            noise.close();
            zero.close();
            sigma.close();
            rng.close();
        }
    }

    /** A frontal, softly lit cartoon head whose mouth opens with the audio. */
    private static final class TalkingHeadScene extends Scene {
        private static final int SHIFT = 4; // sub-pixel drawing: 4 fractional bits
        private static final double ONE = 1 << SHIFT;
        private final double swayPhase;
        private final double[] blinks;
        private final Scalar skin;
        private final Scalar hair;
        private final Scalar shirt;

        // Pose of the current frame.
        private double cx;
        private double cy;
        private double a;
        private double b;
        private double cos;
        private double sin;
        private double angleDeg;

        TalkingHeadScene(long seed) {
            super(seed);
            swayPhase = rnd.nextDouble(0, 2 * Math.PI);
            blinks = new double[16];
            double at = rnd.nextDouble(0.8, 2.5);
            for (int i = 0; i < blinks.length; i++) {
                blinks[i] = at;
                at += rnd.nextDouble(2.5, 5.0);
            }
            double tone = rnd.nextDouble(-1, 1);
            skin = new Scalar(150 + 25 * tone, 178 + 20 * tone, 222 + 12 * tone, 0);
            hair = new Scalar(25 + rnd.nextInt(20), 35 + rnd.nextInt(25), 50 + rnd.nextInt(40), 0);
            shirt = new Scalar(60 + rnd.nextInt(100), 60 + rnd.nextInt(80), 50 + rnd.nextInt(60), 0);
        }

        @Override
        void draw(Mat canvas, int frame, double t, double mouth) {
            double w = 2 * Math.PI;
            double scale = 1 + 0.02 * Math.sin(w * 0.11 * t + swayPhase);
            cx = SIZE / 2.0 + 6 * Math.sin(w * 0.31 * t + swayPhase) + 2 * Math.sin(w * 0.9 * t);
            cy = SIZE / 2.0 + 6 + 3 * Math.sin(w * 0.23 * t + 1.3 * swayPhase);
            a = 70 * scale;
            b = 94 * scale;
            angleDeg = 3 * Math.sin(w * 0.17 * t + 0.7 * swayPhase);
            cos = Math.cos(Math.toRadians(angleDeg));
            sin = Math.sin(Math.toRadians(angleDeg));

            // Shoulders, neck and hair sit behind the face.
            fill(canvas, 0, 1.95, 2.1, 0.75, shirt);
            fill(canvas, 0, 0.95, 0.42, 0.55, shade(skin, 0.78));
            fill(canvas, 0, -0.22, 1.1, 0.98, hair);
            fill(canvas, -1.0, 0.02, 0.14, 0.22, shade(skin, 0.85));
            fill(canvas, 1.0, 0.02, 0.14, 0.22, shade(skin, 0.85));

            // Face: nested ovals, lighter towards the upper middle, then blurred into smooth shading.
            for (int i = 0; i < 6; i++) {
                double k = 1 - 0.08 * i;
                fill(canvas, 0, -0.06 * i, k, k, shade(skin, 0.80 + 0.04 * i));
            }
            // Hairline fringe over the forehead.
            fill(canvas, 0, -0.9, 0.95, 0.32, hair);
            Rect roi = faceBox();
            try (Mat face = new Mat(canvas, roi)) {
                GaussianBlur(face, face, new Size(0, 0), 4);
            }

            // Eye sockets darker than cheeks and nose bridge: the contrasts a frontal-face detector relies on.
            for (int side = -1; side <= 1; side += 2) {
                fill(canvas, side * 0.37, -0.13, 0.28, 0.14, shade(skin, 0.72));
            }
            // Nose: a lit ridge, shaded flanks, a shadow under the tip.
            fill(canvas, 0, 0.05, 0.09, 0.28, shade(skin, 1.06));
            fill(canvas, -0.13, 0.16, 0.06, 0.14, shade(skin, 0.82));
            fill(canvas, 0.13, 0.16, 0.06, 0.14, shade(skin, 0.82));
            fill(canvas, 0, 0.27, 0.16, 0.06, shade(skin, 0.75));
            // Cheek shadows framing the mouth area.
            fill(canvas, -0.62, 0.35, 0.22, 0.3, shade(skin, 0.88));
            fill(canvas, 0.62, 0.35, 0.22, 0.3, shade(skin, 0.88));
            try (Mat face = new Mat(canvas, roi)) {
                GaussianBlur(face, face, new Size(0, 0), 2.5);
            }

            double lid = blinkClosure(t);
            for (int side = -1; side <= 1; side += 2) {
                double ex = side * 0.37;
                double ey = -0.13;
                // Brow: a thick dark arc above the eye.
                arc(canvas, ex, ey - 0.16, 0.25, 0.07, 200, 340, hair, 0.06);
                // Sclera, iris and pupil, squashed by the eyelid when blinking.
                double open = 1 - lid;
                if (open > 0.15) {
                    fill(canvas, ex, ey, 0.17, 0.07 * open, new Scalar(205, 210, 215, 0));
                    disc(canvas, ex, ey, Math.min(0.075, 0.07 * open + 0.01), new Scalar(45, 60, 80, 0));
                    disc(canvas, ex, ey, Math.min(0.035, 0.035 * open), new Scalar(15, 15, 20, 0));
                }
                // Upper lid line and lashes.
                arc(canvas, ex, ey + 0.07 * lid, 0.18, 0.075 * Math.max(open, 0.1), 190, 350,
                        new Scalar(30, 30, 40, 0), 0.025);
            }
            // Nostrils.
            fill(canvas, -0.07, 0.24, 0.045, 0.025, shade(skin, 0.45));
            fill(canvas, 0.07, 0.24, 0.045, 0.025, shade(skin, 0.45));

            drawMouth(canvas, mouth);

            try (Mat face = new Mat(canvas, roi)) {
                GaussianBlur(face, face, new Size(3, 3), 0.8);
            }
        }

        private void drawMouth(Mat canvas, double mouth) {
            double my = 0.50;
            double open = Math.max(0, Math.min(1, mouth));
            double inner = 0.012 + 0.15 * open;
            // Jaw drops with the opening, so the lower lip moves more than the upper one.
            double center = my + 0.35 * inner;
            Scalar lips = new Scalar(95 + 0.15 * skin.get(0), 85, 150 + 0.1 * skin.get(2), 0);
            fill(canvas, 0, center + inner + 0.05, 0.2, 0.05, shade(skin, 0.8)); // shadow under the lower lip
            fill(canvas, 0, center, 0.30 - 0.04 * open, inner + 0.045, lips);
            fill(canvas, 0, center, 0.25 - 0.04 * open, inner, new Scalar(35, 30, 60, 0));
            if (open > 0.2) {
                // Upper teeth show once the mouth is well open.
                fill(canvas, 0, center - inner * 0.7, 0.15, inner * 0.28, new Scalar(195, 205, 210, 0));
            }
        }

        /** How closed the eyelids are at time t: 0 open, 1 shut, over a three-frame blink. */
        private double blinkClosure(double t) {
            for (double at : blinks) {
                double d = Math.abs(t - at);
                if (d < 0.06) {
                    return 1 - d / 0.1;
                }
            }
            return 0;
        }

        private Rect faceBox() {
            int x0 = clamp((int) (cx - 1.35 * a));
            int y0 = clamp((int) (cy - 1.35 * b));
            int x1 = clamp((int) (cx + 1.35 * a));
            int y1 = clamp((int) (cy + 1.25 * b));
            return new Rect(x0, y0, x1 - x0, y1 - y0);
        }

        private static int clamp(int v) {
            return Math.max(0, Math.min(SIZE, v));
        }

        private Point at(double fx, double fy) {
            double dx = fx * a;
            double dy = fy * b;
            double x = cx + dx * cos - dy * sin;
            double y = cy + dx * sin + dy * cos;
            return new Point((int) Math.round(x * ONE), (int) Math.round(y * ONE));
        }

        private Size axes(double ax, double ay) {
            return new Size((int) Math.round(Math.max(ax * a, 0.5) * ONE),
                    (int) Math.round(Math.max(ay * b, 0.5) * ONE));
        }

        private void fill(Mat canvas, double fx, double fy, double ax, double ay, Scalar color) {
            ellipse(canvas, at(fx, fy), axes(ax, ay), angleDeg, 0, 360, color, FILLED, LINE_AA, SHIFT);
        }

        private void arc(Mat canvas, double fx, double fy, double ax, double ay, double from, double to, Scalar color,
                double thickness) {
            int px = Math.max(1, (int) Math.round(thickness * a));
            ellipse(canvas, at(fx, fy), axes(ax, ay), angleDeg, from, to, color, px, LINE_AA, SHIFT);
        }

        private void disc(Mat canvas, double fx, double fy, double r, Scalar color) {
            circle(canvas, at(fx, fy), (int) Math.round(Math.max(r * a, 0.5) * ONE), color, FILLED, LINE_AA, SHIFT);
        }

        private static Scalar shade(Scalar c, double k) {
            return new Scalar(Math.min(255, c.get(0) * k), Math.min(255, c.get(1) * k), Math.min(255, c.get(2) * k), 0);
        }

        @Override
        public void close() {
            skin.close();
            hair.close();
            shirt.close();
            super.close();
        }
    }

    /** No face at all: a coloured box and a disc bouncing around the frame. */
    private static final class BouncingShapeScene extends Scene {
        private double x;
        private double y;
        private double vx;
        private double vy;
        private double bx;
        private double by;
        private double bvx;
        private double bvy;
        private final Scalar boxColor;
        private final Scalar ballColor;

        BouncingShapeScene(long seed) {
            super(seed);
            x = rnd.nextDouble(20, 200);
            y = rnd.nextDouble(20, 200);
            vx = rnd.nextDouble(2, 5) * (rnd.nextBoolean() ? 1 : -1);
            vy = rnd.nextDouble(2, 5) * (rnd.nextBoolean() ? 1 : -1);
            bx = rnd.nextDouble(40, 280);
            by = rnd.nextDouble(40, 280);
            bvx = rnd.nextDouble(1, 3);
            bvy = -rnd.nextDouble(1, 3);
            boxColor = new Scalar(40, 120 + rnd.nextInt(60), 220, 0);
            ballColor = new Scalar(200, 160, 60, 0);
        }

        @Override
        void draw(Mat canvas, int frame, double t, double mouth) {
            int w = 80;
            int h = 50;
            x += vx;
            y += vy;
            if (x < 0 || x + w > SIZE) {
                vx = -vx;
                x = Math.max(0, Math.min(SIZE - w, x));
            }
            if (y < 0 || y + h > SIZE) {
                vy = -vy;
                y = Math.max(0, Math.min(SIZE - h, y));
            }
            bx += bvx;
            by += bvy;
            if (bx < 20 || bx > SIZE - 20) {
                bvx = -bvx;
            }
            if (by < 20 || by > SIZE - 20) {
                bvy = -bvy;
            }
            rectangle(canvas, new Point((int) x, (int) y), new Point((int) x + w, (int) y + h), boxColor, FILLED,
                    LINE_AA, 0);
            circle(canvas, new Point((int) bx, (int) by), 18, ballColor, FILLED, LINE_AA, 0);
        }

        @Override
        public void close() {
            boxColor.close();
            ballColor.close();
            super.close();
        }
    }
}
