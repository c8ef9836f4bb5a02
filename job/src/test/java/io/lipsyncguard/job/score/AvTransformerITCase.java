package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.lipsyncguard.connectors.WireSchemas;
import io.lipsyncguard.job.TensorFiles;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.cli.AnalyzeCommand;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.VerdictSerializer;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.ModelLoader;
import io.lipsyncguard.models.OrtSessionFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed-001 family (cross-attention + temporal transformer + artifact branch) at test size with random weights:
 * exported by its script, equal to torch under ONNX Runtime, and run by the job end to end.
 */
class AvTransformerITCase {

    static final Path SCRIPT = Path.of("../models/av-transformer/export_av_transformer.py").toAbsolutePath()
            .normalize();

    @TempDir
    static Path tmp;

    static Path model;
    static Path vectors;

    @BeforeAll
    static void export() throws Exception {
        Assumptions.assumeTrue(TensorFiles.run("/usr/bin/python3", "-c", "import torch, onnx") == 0,
                "/usr/bin/python3 with torch and onnx is needed (apt-get install python3-torch python3-onnx)");
        model = tmp.resolve("model");
        vectors = tmp.resolve("vectors");
        assertThat(TensorFiles.run("/usr/bin/python3", SCRIPT.toString(), "--random-init", "--seed", "3",
                "--out", model.toString(), "--test-vectors", vectors.toString())).isZero();
    }

    @Test
    void onnxRuntimeEqualsTorch() throws Exception {
        float[] mouth = TensorFiles.readF32(vectors.resolve("mouth.bin"));
        float[] audio = TensorFiles.readF32(vectors.resolve("audio.bin"));
        int n = mouth.length / (50 * 32 * 32);
        try (LoadedModel loaded = ModelLoader.load(model.resolve("manifest.json"), Device.CPU);
                OnnxTensor m = OnnxTensor.createTensor(OrtSessionFactory.environment(), FloatBuffer.wrap(mouth),
                        new long[] {n, 50, 32, 32});
                OnnxTensor a = OnnxTensor.createTensor(OrtSessionFactory.environment(), FloatBuffer.wrap(audio),
                        new long[] {n, 320, 40});
                OrtSession.Result r = loaded.session().run(Map.of("mouth", m, "audio", a))) {
            float[] prob = (float[]) r.get("fake_prob").orElseThrow().getValue();
            TensorFiles.assertClose(prob, TensorFiles.readF32(vectors.resolve("fake_prob.bin")), 1e-5);
            assertThat(prob).hasSize(4);
            for (float p : prob) {
                assertThat(p).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void scoresFlowToVerdictsInTheJob() throws Exception {
        Path clip = tmp.resolve("talking.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(71, 6));
        JobConfig config = JobConfig.defaults(model.resolve("manifest.json")).withDevice(Device.CPU);
        List<Verdict> verdicts = AnalyzeCommand.run(List.of(clip), config, 2);
        assertThat(verdicts).hasSize(1);
        Verdict v = verdicts.get(0);
        assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
        assertThat(v.model().id()).isEqualTo("av-transformer");
        assertThat(v.windows().scored()).isPositive();
        assertThat(v.score().mean()).isBetween(0.0, 1.0);
        assertThat(v.offsetMs()).as("this model estimates no offset").isNull();
        assertThat(WireSchemas.verdictProblems(VerdictSerializer.toJson(v))).isEmpty();
        assertThat(Files.readString(model.resolve("manifest.json"))).contains("untrained");
    }
}
