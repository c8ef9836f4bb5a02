package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.TensorFiles;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.ModelLoader;
import io.lipsyncguard.models.OrtSessionFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LipFD against its Python reference: the export (small configuration, random weights) through the model contract
 * and ONNX Runtime equals torch; the checkpoint loader takes the official key layout; the Java mel, colour map,
 * composite and model inputs equal the reference's on the same decoded audio and frames; the streaming-causal
 * normalisation's effect is measured.
 */
class LipFdParityTest {

    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPTS = Path.of("../models/lipfd").toAbsolutePath().normalize();

    @TempDir
    static Path tmp;

    static Path clip;
    static float[] audio;
    static int frameCount;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(TensorFiles.run(PYTHON, "-c", "import torch, onnx, cv2, matplotlib") == 0,
                "/usr/bin/python3 with torch, onnx, cv2 and matplotlib is needed (apt-get install python3-torch "
                        + "python3-onnx python3-opencv python3-matplotlib)");
        clip = tmp.resolve("talking.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(81, 3));
        MediaFeatures m = MediaFeatureExtractor.extract(clip, new MediaSpec(25, LibrosaMel.SAMPLE_RATE, 32, 32, 1000,
                320), MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        audio = m.audio();
        frameCount = m.frameCount();
    }

    @Test
    void onnxRuntimeEqualsTorchAndTheOfficialKeyLayoutLoads() throws Exception {
        Path vectors = tmp.resolve("vectors");
        Path checkpoint = tmp.resolve("ckpt.pth");
        assertThat(TensorFiles.run(PYTHON, SCRIPTS.resolve("export_lipfd.py").toString(), "--random-init",
                "--config", "test", "--out", tmp.resolve("model").toString(), "--test-vectors", vectors.toString(),
                "--write-checkpoint", checkpoint.toString())).isZero();
        // the same weights through the checkpoint loader (official layout: a "model" dict with CLIP text keys too)
        Path again = tmp.resolve("vectors-from-checkpoint");
        assertThat(TensorFiles.run(PYTHON, SCRIPTS.resolve("export_lipfd.py").toString(), "--checkpoint",
                checkpoint.toString(), "--config", "test", "--out", tmp.resolve("model2").toString(),
                "--test-vectors", again.toString())).isZero();
        float[] torch = TensorFiles.readF32(vectors.resolve("fake_prob.bin"));
        assertThat(TensorFiles.readF32(again.resolve("fake_prob.bin"))).containsExactly(torch);

        float[] composite = TensorFiles.readF32(vectors.resolve("composite.bin"));
        float[] crops = TensorFiles.readF32(vectors.resolve("crops.bin"));
        try (LoadedModel model = ModelLoader.load(tmp.resolve("model/manifest.json"), Device.CPU);
                OnnxTensor g = OnnxTensor.createTensor(OrtSessionFactory.environment(), FloatBuffer.wrap(composite),
                        new long[] {2, 3, 1120, 1120});
                OnnxTensor c = OnnxTensor.createTensor(OrtSessionFactory.environment(), FloatBuffer.wrap(crops),
                        new long[] {2, 3, 5, 3, 224, 224});
                OrtSession.Result r = model.session().run(Map.of("composite", g, "crops", c))) {
            TensorFiles.assertClose((float[]) r.get("fake_prob").orElseThrow().getValue(), torch, 1e-4);
        }
    }

    @Test
    void theJobRunsLipFdEndToEnd() throws Exception {
        Path model = tmp.resolve("e2e-model");
        assertThat(TensorFiles.run(PYTHON, SCRIPTS.resolve("export_lipfd.py").toString(), "--random-init", "--config",
                "test", "--seed", "5", "--out", model.toString())).isZero();
        io.lipsyncguard.job.JobConfig config = io.lipsyncguard.job.JobConfig.defaults(model.resolve("manifest.json"))
                .withDevice(Device.CPU);
        io.lipsyncguard.job.cli.AnalyzeCommand.Analysis a = io.lipsyncguard.job.cli.AnalyzeCommand.analyse(
                java.util.List.of(clip), config, 2, true, v -> { });
        io.lipsyncguard.job.verdict.Verdict v = a.verdicts().get(0);
        assertThat(v.model().id()).isEqualTo("lipfd");
        // 75 frames, 5-frame windows every 5 with 2 frames of audio context each side: (75 - 9) / 5 + 1
        assertThat(v.windows().total()).isEqualTo(14);
        assertThat(v.windows().scored()).isPositive();
        assertThat(v.offsetMs()).as("LipFD estimates no offset").isNull();
        assertThat(io.lipsyncguard.connectors.WireSchemas.verdictProblems(
                io.lipsyncguard.job.verdict.VerdictSerializer.toJson(v))).isEmpty();
        java.util.List<Double> scores = a.windows().get(v.videoId()).stream()
                .filter(io.lipsyncguard.job.score.ScoredWindow::isScored)
                .map(io.lipsyncguard.job.score.ScoredWindow::score).toList();
        assertThat(scores).allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
        assertThat(scores.stream().distinct().count()).as("windows with different content score differently")
                .isGreaterThan(1);
    }

    @Test
    void javaMelAndColourMapEqualTheReference() throws Exception {
        Path samples = tmp.resolve("samples-22k.f32");
        TensorFiles.writeF32(samples, audio);
        Path out = tmp.resolve("mel.f32");
        assertThat(TensorFiles.run(PYTHON, SCRIPTS.resolve("reference_preprocessing.py").toString(), "mel",
                samples.toString(), out.toString())).isZero();
        float[] reference = TensorFiles.readF32(out);
        float[][] db = LibrosaMel.powerToDbRefMin(LibrosaMel.melPower(audio));
        int cols = db[0].length;
        assertThat(reference).hasSize(LibrosaMel.N_MELS * cols);
        float[][] ref = new float[LibrosaMel.N_MELS][cols];
        double max = 0;
        for (int m = 0; m < LibrosaMel.N_MELS; m++) {
            for (int t = 0; t < cols; t++) {
                ref[m][t] = reference[m * cols + t];
                max = Math.max(max, Math.abs(db[m][t] - ref[m][t]));
            }
        }
        assertThat(max).as("max |dB java - reference|").isLessThanOrEqualTo(1e-3);
        // after the colour map: the same bytes except where float32 rounding crosses a colour bucket edge
        byte[] javaRgb = LipFdComposite.viridisImage(db);
        byte[] refRgb = LipFdComposite.viridisImage(ref);
        long differing = 0;
        for (int i = 0; i < javaRgb.length; i++) {
            differing += javaRgb[i] != refRgb[i] ? 1 : 0;
        }
        assertThat(differing).as("colour bytes differing of %d", javaRgb.length).isLessThanOrEqualTo(javaRgb.length / 1000);
    }

    @Test
    void javaCompositeAndModelInputsEqualTheReference() throws Exception {
        int start = 10;
        byte[][] frames = new byte[5][];
        int[] widths = new int[5];
        int[] heights = new int[5];
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(clip.toFile());
                OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            Frame f;
            int i = 0;
            while ((f = grabber.grabImage()) != null && i < start + 5) {
                if (i >= start) {
                    Mat bgr = toMat.convert(f);
                    widths[i - start] = bgr.cols();
                    heights[i - start] = bgr.rows();
                    frames[i - start] = new byte[bgr.cols() * bgr.rows() * 3];
                    bgr.data().get(frames[i - start]);
                }
                i++;
            }
        }
        Path samples = tmp.resolve("samples.f32");
        TensorFiles.writeF32(samples, audio);
        Path rawFrames = tmp.resolve("frames.u8");
        byte[] all = new byte[5 * frames[0].length];
        for (int i = 0; i < 5; i++) {
            System.arraycopy(frames[i], 0, all, i * frames[0].length, frames[0].length);
        }
        Files.write(rawFrames, all);
        Path out = Files.createDirectories(tmp.resolve("inputs"));
        assertThat(TensorFiles.run(PYTHON, SCRIPTS.resolve("reference_preprocessing.py").toString(), "inputs",
                samples.toString(), rawFrames.toString(), String.valueOf(heights[0]), String.valueOf(widths[0]),
                String.valueOf(start), String.valueOf(frameCount), out.toString())).isZero();

        float[][] power = LibrosaMel.melPower(audio);
        byte[] melRgb = LipFdComposite.viridisImage(LibrosaMel.powerToDbRefMin(power));
        byte[] composite = LipFdComposite.composite(melRgb, power[0].length, start, frameCount, frames, widths,
                heights);
        byte[] reference = Files.readAllBytes(out.resolve("composite.u8"));
        assertThat(composite).hasSameSizeAs(reference);
        long differing = 0;
        int maxDiff = 0;
        for (int i = 0; i < composite.length; i++) {
            int d = Math.abs((composite[i] & 0xff) - (reference[i] & 0xff));
            differing += d > 0 ? 1 : 0;
            maxDiff = Math.max(maxDiff, d);
        }
        // the frames half is OpenCV on both sides; the strip can differ only where a colour bucket edge was crossed
        assertThat(differing).as("composite bytes differing (max %d)", maxDiff).isLessThanOrEqualTo(composite.length / 1000);

        // the resizes on identical composites: torch's bilinear, reproduced
        float[] global = LipFdComposite.globalInput(reference);
        float[] crops = LipFdComposite.cropsInput(reference);
        // float32 rounding of the source coordinates differs from torch by a few ulps: within 2e-5 of the range here
        TensorFiles.assertClose(global, TensorFiles.readF32(out.resolve("global.f32")), 1e-4);
        TensorFiles.assertClose(crops, TensorFiles.readF32(out.resolve("crops.f32")), 1e-4);

        // the streaming-causal variant: normalised over the window instead of the clip; measured, not asserted equal
        long[] cols = LipFdComposite.columns(start, (double) power[0].length / frameCount);
        int begin = (int) cols[0];
        int end = (int) cols[1];
        byte[] causal = LipFdComposite.fromSlice(LipFdComposite.causalSlice(power, begin, end), end - begin, frames,
                widths, heights);
        double stripDiff = 0;
        int stripBytes = LipFdComposite.FRAME * LipFdComposite.WIDTH * 3;
        for (int i = 0; i < stripBytes; i++) {
            stripDiff += Math.abs((causal[i] & 0xff) - (composite[i] & 0xff));
        }
        System.out.printf(Locale.ROOT, "LipFD causal normalisation: mean |byte difference| in the mel strip %.2f "
                + "(of 255); frames half identical: %s%n", stripDiff / stripBytes,
                java.util.Arrays.equals(java.util.Arrays.copyOfRange(causal, stripBytes, causal.length),
                        java.util.Arrays.copyOfRange(composite, stripBytes, composite.length)));
        assertThat(java.util.Arrays.copyOfRange(causal, stripBytes, causal.length))
                .isEqualTo(java.util.Arrays.copyOfRange(composite, stripBytes, composite.length));
    }
}
