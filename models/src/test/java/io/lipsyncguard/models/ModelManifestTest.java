package io.lipsyncguard.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing and validation of the committed manifests, and errors that name the broken field. */
class ModelManifestTest {

    static final Path BASELINE = Path.of("sync-baseline/manifest.json");

    @ParameterizedTest
    @ValueSource(strings = {"sync-baseline/manifest.json", "syncnet/manifest.example.json", "lipfd/manifest.example.json"})
    void committedManifestsValidate(String path) {
        ModelManifest m = ModelManifest.readValid(Path.of(path));
        assertThat(m.id()).isNotBlank();
        assertThat(m.inputs()).isNotEmpty();
        assertThat(m.outputs()).isNotEmpty();
        assertThat(m.modelFile().isAbsolute()).isTrue();
        assertThat(m.modelFile().getParent()).isEqualTo(Path.of(path).toAbsolutePath().getParent().normalize());
    }

    @Test
    void baselineAccessors() {
        ModelManifest m = ModelManifest.readValid(BASELINE);
        assertThat(m.output("lag_curve").name()).isEqualTo("curve");
        assertThat(m.output("lag_curve").shape()).containsExactly(-1L, 31L);
        assertThat(m.output("desync_probability").name()).isEqualTo("desync_prob");
        assertThat(m.output("video_embedding")).isNull();
        assertThat(m.input("mouth_crops").shapeArray()).containsExactly(-1, 50, 32, 32);
        assertThat(m.preprocessing().audio().melFramesPerVideoFrame() * m.preprocessing().fps()
                * m.preprocessing().audio().hopLength()).isEqualTo(m.preprocessing().sampleRate());
        assertThat(m.thresholds().minEvidenceWindows()).isEqualTo(3);
        // optional rules fall back to documented defaults derived from the required ones
        Thresholds t = m.thresholds();
        assertThat(t.suspiciousScore()).isEqualTo(t.segmentThreshold() != null ? t.segmentThreshold()
                : t.decision() + t.uncertainBand());
        assertThat(t.localizedSegmentSeconds()).isPositive();
        assertThat(m.modelFile()).exists();
        // the committed value is whatever `calibrate` fitted: compare with the raw JSON, not a constant
        assertThat(m.calibrationNumber("weightGap", -1))
                .isEqualTo(((Number) m.calibration().get("weightGap")).doubleValue())
                .isNotEqualTo(-1.0);
        assertThat(m.calibrationString("audioSignal", "x")).isEqualTo("delta");
        assertThat(m.calibrationNumber("absent", 7.5)).isEqualTo(7.5);
    }

    @Test
    void examplesDescribeTheirFamilies() {
        ModelManifest syncnet = ModelManifest.readValid(Path.of("syncnet/manifest.example.json"));
        assertThat(syncnet.input("face_crops").shape()).containsExactly(-1L, 3L, 5L, 224L, 224L);
        assertThat(syncnet.preprocessing().audio().nMfccOrZero()).isEqualTo(13);
        assertThat(syncnet.output("audio_embedding").shape()).containsExactly(-1L, 1024L);
        ModelManifest lipfd = ModelManifest.readValid(Path.of("lipfd/manifest.example.json"));
        assertThat(lipfd.input("composite_image")).isNotNull();
        assertThat(lipfd.input("multiscale_crops")).isNotNull();
        assertThat(lipfd.output("fake_probability").shape()).containsExactly(-1L);
        assertThat(lipfd.preprocessing().sampleRate()).isEqualTo(22050);
    }

    static Stream<Arguments> brokenManifests() {
        return Stream.of(
                Arguments.of("empty id", edit(r -> r.put("id", "")), "id"),
                Arguments.of("missing version", edit(r -> r.remove("version")), "version"),
                Arguments.of("short sha", edit(r -> r.put("sha256", "abc123")), "sha256"),
                Arguments.of("upper-case sha", edit(r -> r.put("sha256", "A".repeat(64))), "sha256"),
                Arguments.of("unknown root field", edit(r -> r.put("colour", "red")), "colour"),
                Arguments.of("unknown nested field", edit(r -> obj(r, "preprocessing", "crop").put("depth", 3)),
                        "preprocessing.crop.depth"),
                Arguments.of("zero fps", edit(r -> obj(r, "preprocessing").put("fps", 0)), "preprocessing.fps"),
                Arguments.of("zero sampleRate", edit(r -> obj(r, "preprocessing").put("sampleRate", 0)), "preprocessing.sampleRate"),
                Arguments.of("zero window", edit(r -> obj(r, "preprocessing").put("windowFrames", 0)), "preprocessing.windowFrames"),
                Arguments.of("negative stride", edit(r -> obj(r, "preprocessing").put("strideFrames", -2)), "preprocessing.strideFrames"),
                Arguments.of("negative margin", edit(r -> obj(r, "preprocessing").put("offsetMarginFrames", -1)),
                        "preprocessing.offsetMarginFrames"),
                Arguments.of("mel frames inconsistent", edit(r -> obj(r, "preprocessing", "audio").put("melFramesPerVideoFrame", 3)),
                        "preprocessing.audio.melFramesPerVideoFrame"),
                Arguments.of("hop inconsistent", edit(r -> obj(r, "preprocessing", "audio").put("hopLength", 200)),
                        "melFramesPerVideoFrame*fps*hopLength"),
                Arguments.of("unknown crop kind", edit(r -> obj(r, "preprocessing", "crop").put("kind", "lips")),
                        "preprocessing.crop.kind"),
                Arguments.of("unknown audio kind", edit(r -> obj(r, "preprocessing", "audio").put("kind", "wav")),
                        "preprocessing.audio.kind"),
                Arguments.of("missing crop width", edit(r -> obj(r, "preprocessing", "crop").remove("width")), "width"),
                Arguments.of("decision above 1", edit(r -> obj(r, "thresholds").put("decision", 1.5)), "thresholds.decision"),
                Arguments.of("negative band", edit(r -> obj(r, "thresholds").put("uncertainBand", -0.1)), "thresholds.uncertainBand"),
                Arguments.of("face fraction", edit(r -> obj(r, "thresholds").put("minFaceFraction", 2.0)), "thresholds.minFaceFraction"),
                Arguments.of("segment threshold above 1", edit(r -> obj(r, "thresholds").put("segmentThreshold", 1.2)),
                        "thresholds.segmentThreshold"),
                Arguments.of("zero segment length", edit(r -> obj(r, "thresholds").put("segmentMinSeconds", 0)),
                        "thresholds.segmentMinSeconds"),
                Arguments.of("negative crop contrast", edit(r -> obj(r, "thresholds").put("minCropContrast", -1)),
                        "thresholds.minCropContrast"),
                Arguments.of("rolling floor under the final one",
                        edit(r -> obj(r, "thresholds").put("minRollingWindows", 2)), "thresholds.minRollingWindows"),
                Arguments.of("negative audio lead", edit(r -> obj(r, "thresholds").put("maxAudioLeadMs", -90.0)),
                        "thresholds.maxAudioLeadMs"),
                // the shipped geometry reads the offset from ±(15 - 2) lags at 25 fps: 520 ms at most
                Arguments.of("offset limit beyond the smoothed lags",
                        edit(r -> obj(r, "thresholds").put("maxOffsetMs", 560.0)),
                        "thresholds.maxOffsetMs: must be within the lags the offset is read from, "
                                + "(offsetMarginFrames - offsetSmoothingFrames) x 1000 / fps = 520.0 ms"),
                Arguments.of("audio lead limit beyond the lags",
                        edit(r -> obj(r, "thresholds").put("maxAudioLeadMs", 1000.0)),
                        "thresholds.maxAudioLeadMs: must be within the lags the offset is read from"),
                Arguments.of("smoothing wider than the curve",
                        edit(r -> obj(r, "thresholds").put("offsetSmoothingFrames", 15)),
                        "thresholds.offsetSmoothingFrames"),
                Arguments.of("no inputs", edit(r -> r.putArray("inputs")), "inputs"),
                Arguments.of("no outputs", edit(r -> r.putArray("outputs")), "outputs"),
                Arguments.of("duplicate input", edit(r -> tensor(r, "inputs", 1).put("name", "mouth")), "duplicate name 'mouth'"),
                Arguments.of("duplicate output", edit(r -> tensor(r, "outputs", 3).put("name", "desync_prob")), "outputs[3].name"),
                Arguments.of("bad meaning", edit(r -> tensor(r, "outputs", 0).put("meaning", "fakeness")), "outputs[0].meaning"),
                Arguments.of("bad feeds", edit(r -> tensor(r, "inputs", 0).put("feeds", "lip_pixels")), "inputs[0].feeds"),
                Arguments.of("bad dtype", edit(r -> tensor(r, "inputs", 1).put("dtype", "float64")), "inputs[1].dtype"),
                Arguments.of("zero dim", edit(r -> ((ArrayNode) tensor(r, "inputs", 0).get("shape")).set(2, 0)),
                        "inputs[0].shape[2]"),
                Arguments.of("dynamic inner dim", edit(r -> ((ArrayNode) tensor(r, "outputs", 3).get("shape")).set(1, -1)),
                        "outputs[3].shape[1]"),
                Arguments.of("static batch dim", edit(r -> ((ArrayNode) tensor(r, "inputs", 0).get("shape")).set(0, 1)),
                        "inputs[0].shape[0]: must be -1"),
                Arguments.of("curve narrower than the lags",
                        edit(r -> ((ArrayNode) tensor(r, "outputs", 3).get("shape")).set(1, 29)),
                        "a lag_curve is [-1, 2K+1] = [-1, 31]"),
                Arguments.of("tolerance as wide as the curve",
                        edit(r -> obj(r, "calibration").put("toleranceFrames", 15)), "calibration.toleranceFrames"),
                Arguments.of("default tolerance beyond a short margin",
                        edit(r -> {
                            obj(r, "calibration").remove("toleranceFrames");
                            obj(r, "preprocessing").put("offsetMarginFrames", 3);
                        }), "(the default)"),
                Arguments.of("band reaching 1", edit(r -> obj(r, "thresholds").put("decision", 0.9).put("uncertainBand",
                        0.2)), "decision ± uncertainBand must stay inside (0, 1)"),
                Arguments.of("output with feeds", edit(r -> tensor(r, "outputs", 1).put("feeds", "mouth_crops")), "outputs[1].feeds"),
                Arguments.of("fps as text", edit(r -> obj(r, "preprocessing").put("fps", "fast")), "preprocessing.fps"),
                Arguments.of("fractional fps", edit(r -> obj(r, "preprocessing").put("fps", 29.97)), "preprocessing.fps"),
                Arguments.of("sample rate not a multiple of fps",
                        edit(r -> obj(r, "preprocessing").put("fps", 24)), "preprocessing.sampleRate: must be a multiple"),
                Arguments.of("hop beyond the window",
                        edit(r -> obj(r, "preprocessing", "audio").put("hopLength", 500)), "hopLength: 500 exceeds"),
                Arguments.of("segment threshold below the decision",
                        edit(r -> obj(r, "thresholds").put("segmentThreshold", 0.3)), "thresholds.segmentThreshold"),
                Arguments.of("offset limit beyond the searched lags",
                        edit(r -> obj(r, "thresholds").put("maxOffsetMs", 700.0)), "thresholds.maxOffsetMs"),
                Arguments.of("calibration number as text",
                        edit(r -> obj(r, "calibration").put("videoBias", "1.7")), "calibration.videoBias"),
                Arguments.of("part of the video read-out",
                        edit(r -> obj(r, "calibration").remove("videoBias")), "video read-out needs all"),
                Arguments.of("null input", edit(r -> ((ArrayNode) r.get("inputs")).insertNull(0)), "inputs[0]: null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenManifests")
    void brokenManifestNamesField(String label, Consumer<ObjectNode> breakIt, String field, @TempDir Path dir) {
        ObjectNode tree = ManifestJson.readTree(BASELINE);
        breakIt.accept(tree);
        Path m = dir.resolve("manifest.json");
        ManifestJson.writeTree(m, tree);
        assertThatThrownBy(() -> ModelManifest.readValid(m))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining(field);
    }

    @Test
    void unchangedTreeStaysValid(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("manifest.json");
        ManifestJson.writeTree(m, ManifestJson.readTree(BASELINE));
        assertThat(Files.readString(m)).isEqualTo(Files.readString(BASELINE));
        ModelManifest.readValid(m);
    }

    private static Consumer<ObjectNode> edit(Consumer<ObjectNode> c) {
        return c;
    }

    private static ObjectNode obj(ObjectNode root, String... path) {
        JsonNode n = root;
        for (String p : path) {
            n = n.get(p);
        }
        return (ObjectNode) n;
    }

    private static ObjectNode tensor(ObjectNode root, String list, int i) {
        return (ObjectNode) root.get(list).get(i);
    }
}
