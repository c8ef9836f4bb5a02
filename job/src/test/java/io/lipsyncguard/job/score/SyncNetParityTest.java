package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.TensorFiles;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.lipsyncguard.job.media.MediaFeatureExtractor;
import io.lipsyncguard.job.media.MediaSpec;
import io.lipsyncguard.job.media.SyncNetFaceCrops;
import io.lipsyncguard.job.media.SyncNetMfcc;
import io.lipsyncguard.job.media.SyncNetTensors;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.ModelLoader;
import io.lipsyncguard.models.OrtSessionFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SyncNet through the model contract, against the Python reference: the export script (random weights, Debian's
 * python3-torch) gives an ONNX model the contract loads; ONNX Runtime gives torch's embeddings and syncnet_python's
 * distances, offset and confidence; the Java preprocessing gives the reference's tensors on the same decoded media.
 */
class SyncNetParityTest {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPTS = Path.of("../models/syncnet").toAbsolutePath().normalize();

    @TempDir
    static Path tmp;

    static Path model;
    static Path vectors;
    static Path clip;

    @BeforeAll
    static void export() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON) && TensorFiles.run(PYTHON.toString(), "-c", "import torch, onnx") == 0,
                "/usr/bin/python3 with torch and onnx is needed (apt-get install python3-torch python3-onnx)");
        model = tmp.resolve("model");
        vectors = tmp.resolve("vectors");
        assertThat(TensorFiles.run(PYTHON.toString(), SCRIPTS.resolve("export_syncnet.py").toString(), "--random-init", "--seed",
                "7", "--out", model.toString(), "--test-vectors", vectors.toString())).isZero();
        clip = tmp.resolve("talking.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(61, 3));
    }

    @Test
    void onnxRuntimeGivesTorchsEmbeddingsAndSyncnetPythonsReadout() throws Exception {
        float[] video = TensorFiles.readF32(vectors.resolve("video.bin"));
        float[] audio = TensorFiles.readF32(vectors.resolve("audio.bin"));
        int n = audio.length / (13 * 20);
        float[][] ortVideo;
        float[][] ortAudio;
        try (LoadedModel loaded = ModelLoader.load(model.resolve("manifest.json"), Device.CPU);
                OnnxTensor v = OnnxTensor.createTensor(OrtSessionFactory.environment(), FloatBuffer.wrap(video),
                        new long[] {n, 3, 5, 224, 224});
                OnnxTensor a = OnnxTensor.createTensor(OrtSessionFactory.environment(), FloatBuffer.wrap(audio),
                        new long[] {n, 1, 13, 20});
                OrtSession.Result r = loaded.session().run(Map.of("video", v, "audio", a))) {
            ortVideo = (float[][]) r.get("video_embedding").orElseThrow().getValue();
            ortAudio = (float[][]) r.get("audio_embedding").orElseThrow().getValue();
        }
        TensorFiles.assertClose(TensorFiles.flatten(ortVideo), TensorFiles.readF32(vectors.resolve("video_embedding.bin")), 1e-4);
        TensorFiles.assertClose(TensorFiles.flatten(ortAudio), TensorFiles.readF32(vectors.resolve("audio_embedding.bin")), 1e-4);

        SyncNetReadout readout = SyncNetReadout.of(ortVideo, ortAudio, 15);
        float[] torchMean = TensorFiles.readF32(vectors.resolve("mean_distance.bin"));
        float[] torchOffsetConf = TensorFiles.readF32(vectors.resolve("offset_confidence.bin"));
        double[] mean = readout.meanDistance();
        float[] meanF = new float[mean.length];
        for (int i = 0; i < mean.length; i++) {
            meanF[i] = (float) mean[i];
        }
        TensorFiles.assertClose(meanF, torchMean, 1e-4);
        assertThat(readout.offset()).isEqualTo((int) torchOffsetConf[0]);
        assertThat(readout.confidence()).isCloseTo(torchOffsetConf[1],
                org.assertj.core.api.Assertions.within(1e-4 * Math.max(1, Math.abs(torchMean[0]))));
    }

    @Test
    void javaMfccEqualsTheReferenceOnDecodedAudio() throws Exception {
        float[] raw = MediaFeatureExtractor.extract(clip, new MediaSpec(25, 16000, 32, 32, 1000, 320),
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA).audio();
        float[] samples = SyncNetMfcc.toInt16Scale(raw);
        Path in = tmp.resolve("samples.f32");
        TensorFiles.writeF32(in, samples);
        Path out = tmp.resolve("mfcc.f64");
        assertThat(TensorFiles.run(PYTHON.toString(), SCRIPTS.resolve("reference_preprocessing.py").toString(), "mfcc",
                in.toString(), out.toString())).isZero();
        double[] reference = TensorFiles.readF64(out);
        double[][] mfcc = SyncNetMfcc.mfcc(samples);
        assertThat(reference).hasSize(mfcc.length * 13);
        double max = 0;
        for (int f = 0; f < mfcc.length; f++) {
            for (int c = 0; c < 13; c++) {
                max = Math.max(max, Math.abs(mfcc[f][c] - reference[f * 13 + c]));
            }
        }
        assertThat(max).as("max |java - reference| over %d frames", mfcc.length).isLessThanOrEqualTo(1e-4);
        // the job's own path: rows of a buffer trimmed mid-file as the window cutter trims it (a window length of
        // samples kept before the next row's frame), against the reference's rows at the same place
        int first = 100;
        int count = 40;
        int base = first * 160 - 400;
        float[] trimmed = java.util.Arrays.copyOfRange(raw, base, raw.length);
        float[] rows = SyncNetMfcc.rows(trimmed, trimmed.length, first * 160L - base, count);
        double rowsMax = 0;
        for (int i = 0; i < count * 13; i++) {
            rowsMax = Math.max(rowsMax, Math.abs(rows[i] - reference[first * 13 + i]));
        }
        // float rows of values in the hundreds: float precision
        assertThat(rowsMax).as("max |rows - reference| mid-file").isLessThanOrEqualTo(
                1e-5 * Math.max(1, java.util.Arrays.stream(reference).map(Math::abs).max().orElse(1)));

        int videoFrames = 10;
        Path stacks = tmp.resolve("audio-stacks.f32");
        assertThat(TensorFiles.run(PYTHON.toString(), SCRIPTS.resolve("reference_preprocessing.py").toString(), "audio",
                in.toString(), String.valueOf(videoFrames), stacks.toString())).isZero();
        float[] ref = TensorFiles.readF32(stacks);
        List<Float> java = new ArrayList<>();
        for (int v = 0; v < videoFrames; v++) {
            for (float x : SyncNetTensors.audioStack(mfcc, v)) {
                java.add(x);
            }
        }
        float[] javaArray = new float[java.size()];
        for (int i = 0; i < javaArray.length; i++) {
            javaArray[i] = java.get(i);
        }
        TensorFiles.assertClose(javaArray, ref, 1e-4);
    }

    @Test
    void javaVideoStacksEqualTheReferenceOnDecodedFaceCrops() throws Exception {
        int frames = 9;
        byte[][] crops = SyncNetFaceCrops.read(clip, frames);
        Path in = tmp.resolve("crops.u8");
        byte[] all = new byte[frames * crops[0].length];
        for (int i = 0; i < frames; i++) {
            System.arraycopy(crops[i], 0, all, i * crops[0].length, crops[0].length);
        }
        Files.write(in, all);
        Path out = tmp.resolve("video-stacks.f32");
        assertThat(TensorFiles.run(PYTHON.toString(), SCRIPTS.resolve("reference_preprocessing.py").toString(), "video",
                in.toString(), String.valueOf(frames), out.toString())).isZero();
        float[] ref = TensorFiles.readF32(out);
        int per = 3 * 5 * 224 * 224;
        assertThat(ref).hasSize((frames - 4) * per);
        for (int s = 0; s < frames - 4; s++) {
            float[] java = SyncNetTensors.videoStack(crops, s);
            for (int i = 0; i < per; i++) {
                if (java[i] != ref[s * per + i]) {
                    throw new AssertionError("stack " + s + " element " + i + ": java " + java[i] + ", reference "
                            + ref[s * per + i]);
                }
            }
        }
        // the crops are a face, not a blank: the stacks carry picture content
        assertThat(io.lipsyncguard.job.score.WindowScorer.cropContrast(crops[0])).isGreaterThan(10);
    }

    @Test
    void theJobRunsSyncNetEndToEndAndReadsOffsetsFromTheDistances() throws Exception {
        Path six = tmp.resolve("six-seconds.mp4");
        TalkingHeadGenerator.write(six, SampleSpec.inSync(62, 6));
        io.lipsyncguard.job.JobConfig config = io.lipsyncguard.job.JobConfig.defaults(model.resolve("manifest.json"))
                .withDevice(Device.CPU);
        io.lipsyncguard.job.cli.AnalyzeCommand.Analysis a = io.lipsyncguard.job.cli.AnalyzeCommand.analyse(
                List.of(six), config, 2, true, v -> { });
        io.lipsyncguard.job.verdict.Verdict v = a.verdicts().get(0);
        assertThat(v.model().id()).isEqualTo("syncnet");
        // 150 frames: 1 s windows every 1 s with 15 frames of audio context on each side -> (150 - 55) / 25 + 1
        assertThat(v.windows().total()).isEqualTo(4);
        assertThat(v.windows().scored()).isEqualTo(4);
        assertThat(io.lipsyncguard.connectors.WireSchemas.verdictProblems(
                io.lipsyncguard.job.verdict.VerdictSerializer.toJson(v))).isEmpty();
        List<ScoredWindow> windows = a.windows().get(v.videoId());
        float[] sum = new float[31];
        for (ScoredWindow w : windows) {
            assertThat(w.isScored()).isTrue();
            assertThat(w.curve()).hasSize(31);
            // the window's offset and confidence are syncnet_python's read-out of its own distance curve
            int argmax = 0;
            for (int i = 1; i < 31; i++) {
                argmax = w.curve()[i] > w.curve()[argmax] ? i : argmax;
            }
            assertThat(w.offsetFrames()).isEqualTo(argmax - 15.0);
            float[] sorted = w.curve().clone();
            java.util.Arrays.sort(sorted);
            assertThat(w.syncConfidence()).isCloseTo(w.curve()[argmax] - sorted[15],
                    org.assertj.core.api.Assertions.within(1e-3));
            for (int i = 0; i < 31; i++) {
                sum[i] += w.curve()[i];
            }
        }
        // per video: the confidence of the average curve (median - min of the mean distances), and the offset at the
        // peak of the summed curves, in ms, with the job's sign
        float[] average = new float[31];
        for (int i = 0; i < 31; i++) {
            average[i] = sum[i] / windows.size();
        }
        assertThat(v.syncConfidence()).isCloseTo(io.lipsyncguard.models.SyncBaselineFeatures.confidence(average),
                org.assertj.core.api.Assertions.within(1e-3));
        assertThat(v.offsetMs()).isEqualTo(
                (double) Math.round(io.lipsyncguard.models.SyncBaselineFeatures.offset(sum, 15) * 1000.0 / 25));
    }
}
