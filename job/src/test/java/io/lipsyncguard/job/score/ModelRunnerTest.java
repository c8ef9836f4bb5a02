package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.models.ManifestJson;
import io.lipsyncguard.models.ModelContractException;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The job refuses, when it loads a model, every manifest setting it would not honour when it builds the inputs. */
class ModelRunnerTest {

    private static final Path SYNCNET = Path.of("../models/syncnet/manifest.example.json");
    private static final Path LIPFD = Path.of("../models/lipfd/manifest.example.json");

    @TempDir
    Path dir;

    @Test
    void theShippedManifestsAreSupported() {
        for (Path m : new Path[] {ModelPaths.defaultManifest(), SYNCNET, LIPFD}) {
            assertThatCode(() -> ModelRunner.checkSupported(ModelManifest.readValid(m))).as(m.toString())
                    .doesNotThrowAnyException();
        }
    }

    static Stream<Arguments> unsupported() {
        Path baseline = ModelPaths.defaultManifest();
        return Stream.of(
                Arguments.of("imagenet crops", baseline, edit(r -> obj(r, "preprocessing", "crop")
                        .put("normalization", "imagenet")), "normalization 'imagenet'"),
                Arguments.of("decibel mels", baseline, edit(r -> obj(r, "preprocessing", "audio").put("log", "db")),
                        "log 'db'"),
                Arguments.of("mouth shape of another window length", baseline,
                        edit(r -> ((ArrayNode) tensor(r, "inputs", 0).get("shape")).set(1, 48)),
                        "holds 49152 values per window, but the preprocessing makes 51200"),
                Arguments.of("audio shape without the margins", baseline,
                        edit(r -> ((ArrayNode) tensor(r, "inputs", 1).get("shape")).set(1, 200)), "input 'audio'"),
                Arguments.of("softmax pair", baseline,
                        edit(r -> ((ArrayNode) tensor(r, "outputs", 0).get("shape")).add(2)),
                        "one number per window"),
                Arguments.of("audio features mel-first", baseline, edit(r -> {
                    ArrayNode shape = (ArrayNode) tensor(r, "inputs", 1).get("shape");
                    shape.set(1, 40);
                    shape.set(2, 320);
                }), "input 'audio' of shape [-1, 40, 320] is not laid out as this job builds it"),
                Arguments.of("mouth crops with the frames last", baseline, edit(r -> {
                    ArrayNode shape = (ArrayNode) tensor(r, "inputs", 0).get("shape");
                    shape.removeAll();
                    shape.add(-1).add(32).add(32).add(50);
                }), "input 'mouth' of shape [-1, 32, 32, 50] is not laid out as this job builds it"),
                Arguments.of("integer input", baseline, edit(r -> tensor(r, "inputs", 0).put("dtype", "int64")),
                        "float32 tensors only"),
                Arguments.of("integer offset output", baseline,
                        edit(r -> tensor(r, "outputs", 1).put("dtype", "int64")),
                        "output 'offset_frames' is int64; this job reads float32 tensors only"),
                Arguments.of("SyncNet at 48 kHz", SYNCNET, edit(r -> obj(r, "preprocessing").put("sampleRate", 48000)),
                        "16000 Hz"),
                Arguments.of("SyncNet crops scaled to [0,1]", SYNCNET,
                        edit(r -> obj(r, "preprocessing", "crop").put("normalization", "unit")), "raw 0..255"),
                Arguments.of("LipFD with logits", LIPFD, edit(r -> tensor(r, "outputs", 0).put("meaning", "logits")),
                        "fake_probability"),
                Arguments.of("LipFD with CLIP normalisation", LIPFD,
                        edit(r -> obj(r, "preprocessing", "crop").put("normalization", "clip")), "raw 0..255"),
                Arguments.of("LipFD with 64 mels", LIPFD, edit(r -> obj(r, "preprocessing", "audio").put("nMels", 64)),
                        "128-mel"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsupported")
    void anUnsupportedSettingIsRefusedByName(String label, Path source, Consumer<ObjectNode> change, String message) {
        ObjectNode tree = ManifestJson.readTree(source);
        change.accept(tree);
        Path m = dir.resolve("manifest.json");
        ManifestJson.writeTree(m, tree);
        ModelManifest manifest = ModelManifest.readValid(m); // a valid contract, which this job cannot feed
        assertThatThrownBy(() -> ModelRunner.checkSupported(manifest)).isInstanceOf(ModelContractException.class)
                .hasMessageContaining(message);
    }

    private static Consumer<ObjectNode> edit(Consumer<ObjectNode> c) {
        return c;
    }

    private static ObjectNode obj(ObjectNode root, String... path) {
        ObjectNode n = root;
        for (String p : path) {
            n = (ObjectNode) n.get(p);
        }
        return n;
    }

    private static ObjectNode tensor(ObjectNode root, String list, int i) {
        return (ObjectNode) root.get(list).get(i);
    }
}
