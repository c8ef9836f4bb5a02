package io.lipsyncguard.models;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The committed sync-baseline model: reproducible build, agreement with the Java reference, and sync behaviour. */
class SyncBaselineModelTest {

    static final Path MANIFEST = Path.of("sync-baseline/manifest.json");
    static ModelManifest manifest;
    static SyncBaselineSpec spec;

    @BeforeAll
    static void readManifest() {
        manifest = ModelManifest.readValid(MANIFEST);
        spec = SyncBaselineModelBuilder.fromManifest(manifest);
    }

    @Test
    void specComesFromManifest() {
        assertThat(spec.windowFrames()).isEqualTo(50);
        assertThat(spec.offsetMarginFrames()).isEqualTo(15);
        assertThat(spec.height()).isEqualTo(32);
        assertThat(spec.width()).isEqualTo(32);
        assertThat(spec.melFramesPerVideoFrame()).isEqualTo(4);
        assertThat(spec.nMels()).isEqualTo(40);
        assertThat(spec.audioFrames()).isEqualTo(320);
        assertThat(spec.lags()).isEqualTo(31);
        assertThat(spec.toleranceFrames()).isEqualTo((int) manifest.calibrationNumber("toleranceFrames", -1));
        assertThat(spec.weightGap()).isEqualTo(manifest.calibrationNumber("weightGap", -1));
    }

    @Test
    void buildIsDeterministicAndMatchesCommittedFile() throws Exception {
        byte[] a = SyncBaselineModelBuilder.build(spec);
        byte[] b = SyncBaselineModelBuilder.build(fromFreshRead());
        assertThat(a).isEqualTo(b);
        byte[] committed = Files.readAllBytes(manifest.modelFile());
        assertThat(committed).as("committed onnx == fresh build (rebuild with SyncBaselineModelBuilder if this fails)")
                .isEqualTo(a);
        assertThat(ModelFiles.sha256(committed)).isEqualTo(manifest.sha256());
        SyncBaselineSpec other = spec.withCalibration(2, 0.5, 8.0, 1.0, "delta");
        assertThat(SyncBaselineModelBuilder.build(other)).isNotEqualTo(a);
    }

    private static SyncBaselineSpec fromFreshRead() {
        return SyncBaselineModelBuilder.fromManifest(ModelManifest.read(MANIFEST));
    }

    @Test
    void onnxMatchesJavaReferenceOnRandomInputs() throws Exception {
        Random rnd = new Random(42);
        int n = 3;
        float[][] mouths = new float[n][];
        float[][] audios = new float[n][];
        for (int i = 0; i < n; i++) {
            mouths[i] = SyncWindows.random(rnd, spec.windowFrames() * spec.height() * spec.width(), 0f, 1f);
            audios[i] = SyncWindows.random(rnd, spec.audioFrames() * spec.nMels(), -12f, 2f);
        }
        try (LoadedModel model = ModelLoader.load(MANIFEST, Device.CPU)) {
            SyncWindows.Outputs out = SyncWindows.run(model.session(), spec, mouths, audios);
            assertThat(out.prob()).hasSize(n);
            for (int i = 0; i < n; i++) {
                SyncBaselineReference.Result ref = SyncBaselineReference.score(mouths[i], audios[i], spec);
                assertThat(out.curve()[i]).hasSize(spec.lags());
                for (int l = 0; l < spec.lags(); l++) {
                    assertThat(out.curve()[i][l]).as("curve[%d][%d]", i, l).isCloseTo(ref.curve()[l], within(1e-4f));
                }
                assertThat(out.offset()[i]).isEqualTo(ref.offsetFrames());
                assertThat(out.confidence()[i]).isCloseTo(ref.syncConfidence(), within(1e-4f));
                assertThat(out.prob()[i]).isCloseTo(ref.desyncProb(), within(1e-4f));
                assertThat(out.prob()[i]).isCloseTo(
                        (float) SyncBaselineFeatures.probability(out.curve()[i], spec), within(1e-4f));
            }
        }
    }

    @Test
    void levelVariantMatchesReferenceToo(@TempDir Path dir) throws Exception {
        SyncBaselineSpec level = spec.withCalibration(2, -1.0, 6.0, 2.0, SyncBaselineSpec.LEVEL);
        Path onnx = dir.resolve("m.onnx");
        Files.write(onnx, SyncBaselineModelBuilder.build(level));
        float[][] w = SyncWindows.delayed(level, 2, 7);
        try (var opened = OrtSessionFactory.open(onnx, Device.CPU).session()) {
            SyncWindows.Outputs out = SyncWindows.run(opened, level, new float[][]{w[0]}, new float[][]{w[1]});
            SyncBaselineReference.Result ref = SyncBaselineReference.score(w[0], w[1], level);
            for (int l = 0; l < level.lags(); l++) {
                assertThat(out.curve()[0][l]).isCloseTo(ref.curve()[l], within(1e-4f));
            }
            assertThat(out.prob()[0]).isCloseTo(ref.desyncProb(), within(1e-4f));
        }
    }

    @Test
    void recoversKnownAudioDelay() throws Exception {
        int[] delays = {-6, 0, 4, 9};
        try (LoadedModel model = ModelLoader.load(MANIFEST, Device.CPU)) {
            for (long seed = 1; seed <= 3; seed++) {
                float[][] mouths = new float[delays.length][];
                float[][] audios = new float[delays.length][];
                for (int i = 0; i < delays.length; i++) {
                    float[][] w = SyncWindows.delayed(spec, delays[i], seed * 100 + i);
                    mouths[i] = w[0];
                    audios[i] = w[1];
                }
                SyncWindows.Outputs out = SyncWindows.run(model.session(), spec, mouths, audios);
                for (int i = 0; i < delays.length; i++) {
                    int d = delays[i];
                    assertThat(out.offset()[i]).as("offset for delay %d seed %d", d, seed).isEqualTo((float) d);
                    assertThat(out.confidence()[i]).as("confidence for delay %d", d).isGreaterThan(0.3f);
                    if (d == 0) {
                        assertThat(out.prob()[i]).as("desync prob in sync, seed %d", seed).isLessThan(0.5f);
                    }
                    if (Math.abs(d) >= 5) {
                        assertThat(out.prob()[i]).as("desync prob at delay %d seed %d", d, seed).isGreaterThan(0.5f);
                    }
                }
            }
        }
    }

    @Test
    void aCalibrationTheGraphCannotBeBuiltFromIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("manifest.json");
        Files.copy(MANIFEST, m);
        Files.copy(manifest.modelFile(), dir.resolve(manifest.file()));
        byte[] before = Files.readAllBytes(m);
        byte[] model = Files.readAllBytes(dir.resolve(manifest.file()));
        // written first, the manifest kept the bad values and its sha256 the old model's: no job could load it
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("audioSignal", "levels"),
                Map.of("toleranceFrames", 15))) {
            assertThatThrownBy(() -> SyncBaselineModelBuilder.writeCalibration(m, bad, "bad"))
                    .as(bad.toString()).isInstanceOf(ModelContractException.class);
            assertThat(Files.readAllBytes(m)).isEqualTo(before);
            assertThat(Files.readAllBytes(dir.resolve(manifest.file()))).isEqualTo(model);
        }
        try (LoadedModel loaded = ModelLoader.load(m, Device.CPU)) {
            assertThat(loaded.manifest().sha256()).isEqualTo(manifest.sha256());
        }
    }

    @Test
    void rebuildIsIdempotentAndCalibrationIsWrittenThrough(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("manifest.json");
        Files.copy(MANIFEST, m);
        Files.copy(manifest.modelFile(), dir.resolve(manifest.file()));
        String before = Files.readString(m);
        SyncBaselineModelBuilder.rebuild(m);
        assertThat(Files.readString(m)).isEqualTo(before);
        assertThat(Files.readAllBytes(dir.resolve(manifest.file()))).isEqualTo(Files.readAllBytes(manifest.modelFile()));

        Map<String, Object> cal = new LinkedHashMap<>();
        cal.put("toleranceFrames", 2);
        cal.put("bias", -1.5);
        cal.put("weightGap", 7.25);
        cal.put("weightPeak", 3.0);
        cal.put("audioSignal", "delta");
        SyncBaselineModelBuilder.writeCalibration(m, cal, "fitted in a test");
        ModelManifest updated = ModelManifest.readValid(m);
        assertThat(updated.calibrationNotes()).isEqualTo("fitted in a test");
        assertThat(updated.calibration()).containsEntry("bias", -1.5).containsEntry("toleranceFrames", 2);
        assertThat(updated.sha256()).isNotEqualTo(manifest.sha256()).isEqualTo(ModelFiles.sha256(updated.modelFile()));
        // Everything but calibration, notes and hash stays as it was, in the same order.
        assertThat(Files.readString(m).lines().filter(l -> l.contains("\"id\"") || l.contains("windowFrames")))
                .containsExactly("  \"id\": \"sync-baseline\",", "    \"windowFrames\": 50,");
        SyncBaselineSpec newSpec = SyncBaselineModelBuilder.fromManifest(updated);
        float[][] w = SyncWindows.delayed(newSpec, 3, 11);
        try (LoadedModel model = ModelLoader.load(m, Device.CPU)) {
            SyncWindows.Outputs out = SyncWindows.run(model.session(), newSpec, new float[][]{w[0]}, new float[][]{w[1]});
            double expected = SyncBaselineFeatures.sigmoid(-1.5
                    + 7.25 * (SyncBaselineFeatures.offSyncMax(out.curve()[0], 15, 2) - SyncBaselineFeatures.inSyncMax(out.curve()[0], 15, 2))
                    + 3.0 * SyncBaselineFeatures.inSyncMax(out.curve()[0], 15, 2));
            assertThat((double) out.prob()[0]).isCloseTo(expected, within(1e-4));
        }
    }
}
