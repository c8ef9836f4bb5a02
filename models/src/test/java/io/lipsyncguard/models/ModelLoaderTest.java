package io.lipsyncguard.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Loading models: hash check, tensor contract check against the real session, and device choice. */
class ModelLoaderTest {

    static final Path BASELINE = Path.of("sync-baseline/manifest.json");

    private static Path copy(Path dir, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ModelManifest m = ModelManifest.read(BASELINE);
        Files.copy(m.modelFile(), dir.resolve(m.file()));
        ObjectNode tree = ManifestJson.readTree(BASELINE);
        edit.accept(tree);
        Path out = dir.resolve("manifest.json");
        ManifestJson.writeTree(out, tree);
        return out;
    }

    @Test
    void loadsOnCpuAndRuns(@TempDir Path dir) throws Exception {
        Path m = copy(dir, t -> { });
        try (LoadedModel model = ModelLoader.load(m, Device.CPU)) {
            assertThat(model.device()).isEqualTo(Device.CPU);
            assertThat(model.manifest().id()).isEqualTo("sync-baseline");
            assertThat(model.session().getInputNames()).containsExactlyInAnyOrder("mouth", "audio");
            SyncBaselineSpec spec = SyncBaselineModelBuilder.fromManifest(model.manifest());
            float[][] w = SyncWindows.delayed(spec, 0, 5);
            SyncWindows.Outputs out = SyncWindows.run(model.session(), spec, new float[][]{w[0]}, new float[][]{w[1]});
            assertThat(out.offset()[0]).isEqualTo(0f);
        }
    }

    @Test
    void autoPicksCpuWithoutGpu() {
        assumeThat(OrtSessionFactory.gpuPresent()).as("this check is for hosts without a GPU").isFalse();
        try (LoadedModel model = ModelLoader.load(BASELINE, Device.AUTO)) {
            assertThat(model.device()).isEqualTo(Device.CPU);
        }
        OpenedSession s = OrtSessionFactory.open(ModelManifest.read(BASELINE).modelFile(), Device.AUTO);
        try (var session = s.session()) {
            assertThat(s.device()).isEqualTo(Device.CPU);
            assertThat(s.reason()).contains("no GPU (/dev/nvidia<N>) visible");
        } catch (ai.onnxruntime.OrtException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anyNumberedNvidiaNodeIsAGpuTheDriversOwnNodesAreNot(@TempDir Path dev) throws Exception {
        Files.createFile(dev.resolve("nvidiactl"));
        Files.createFile(dev.resolve("nvidia-uvm"));
        assertThat(OrtSessionFactory.gpuPresent(dev)).isFalse();
        // a container given the host's fourth GPU sees it under the host's number
        Files.createFile(dev.resolve("nvidia3"));
        assertThat(OrtSessionFactory.gpuPresent(dev)).isTrue();
        assertThat(OrtSessionFactory.gpuPresent(dev.resolve("absent"))).isFalse();
    }

    @Test
    void cudaWithoutGpuIsAClearError() {
        assumeThat(OrtSessionFactory.gpuPresent()).isFalse();
        assertThatThrownBy(() -> ModelLoader.load(BASELINE, Device.CUDA))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CUDA")
                .hasMessageContaining("no /dev/nvidia<N> node");
    }

    @Test
    void cudaOnGpuHostRunsSameNumbersAsCpu() throws Exception {
        assumeThat(OrtSessionFactory.gpuPresent()).as("needs a GPU").isTrue();
        SyncBaselineSpec spec = SyncBaselineModelBuilder.fromManifest(ModelManifest.read(BASELINE));
        Random rnd = new Random(3);
        float[][] mouths = {SyncWindows.random(rnd, spec.windowFrames() * spec.height() * spec.width(), 0, 1)};
        float[][] audios = {SyncWindows.random(rnd, spec.audioFrames() * spec.nMels(), -10, 0)};
        try (LoadedModel gpu = ModelLoader.load(BASELINE, Device.CUDA);
             LoadedModel cpu = ModelLoader.load(BASELINE, Device.CPU)) {
            assertThat(gpu.device()).isEqualTo(Device.CUDA);
            float[] g = SyncWindows.run(gpu.session(), spec, mouths, audios).curve()[0];
            float[] c = SyncWindows.run(cpu.session(), spec, mouths, audios).curve()[0];
            for (int i = 0; i < g.length; i++) {
                assertThat(g[i]).isCloseTo(c[i], org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
    }

    @Test
    void weightsInAnExternalDataFileThatNoHashCoversAreRefused(@TempDir Path dir) throws Exception {
        ModelManifest base = ModelManifest.read(BASELINE);
        ai.onnx.proto.OnnxMl.ModelProto model = SyncBaselineModelBuilder.buildModel(
                SyncBaselineModelBuilder.fromManifest(base));
        ai.onnx.proto.OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        int moved = -1;
        // a float weight (an int64 one may be a shape ONNX Runtime wants inline to infer shapes)
        for (int i = 0; i < graph.getInitializerCount() && moved < 0; i++) {
            if (graph.getInitializer(i).getDataType() == ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
                moved = i;
            }
        }
        assertThat(moved).as("a float initializer").isNotNegative();
        var weight = graph.getInitializer(moved);
        byte[] raw = weight.getRawData().toByteArray();
        if (raw.length == 0) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * weight.getFloatDataCount())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            weight.getFloatDataList().forEach(buf::putFloat);
            raw = buf.array();
        }
        Files.write(dir.resolve("weights.bin"), raw);
        graph.setInitializer(moved, graph.getInitializer(moved).toBuilder().clearRawData().clearFloatData()
                .setDataLocation(ai.onnx.proto.OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("location")
                        .setValue("weights.bin"))
                .addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("length")
                        .setValue(Integer.toString(raw.length))));
        byte[] bytes = model.toBuilder().setGraph(graph).build().toByteArray();
        Path onnx = Files.write(dir.resolve("external.onnx"), bytes);
        // ONNX Runtime opens it from its path, reading weights.bin, which the manifest's sha256 does not cover
        try (var session = OrtSessionFactory.open(onnx, Device.CPU).session()) {
            assertThat(session.getInputNames()).contains("mouth");
        }
        ObjectNode tree = ManifestJson.readTree(BASELINE);
        tree.put("family", "sync-correlation-external").put("file", "external.onnx")
                .put("sha256", ModelFiles.sha256(bytes));
        Path m = dir.resolve("manifest.json");
        ManifestJson.writeTree(m, tree);
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("ONNX Runtime cannot open")
                .hasMessageContaining("external.onnx");
        // a model too large to open from memory is opened from its path, where ONNX Runtime would find weights.bin:
        // the scan of its tensors refuses it first
        assertThat(ExternalDataScan.externalTensors(onnx)).containsExactly(weight.getName());
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU, 0))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("keeps the data of 1 tensor(s) in external files")
                .hasMessageContaining(weight.getName());
        // and one with every weight inside loads that way too
        assertThat(ExternalDataScan.externalTensors(base.modelFile())).isEmpty();
        try (LoadedModel loaded = ModelLoader.load(BASELINE, Device.CPU, 0)) {
            assertThat(loaded.manifest().sha256()).isEqualTo(base.sha256());
        }
    }

    @Test
    void autoFallsBackToCpuWhenAGpuNodeIsThereButCudaCannotStart() throws Exception {
        assumeThat(OrtSessionFactory.gpuPresent()).as("on a host with a GPU, CUDA would start").isFalse();
        byte[] bytes = Files.readAllBytes(ModelManifest.read(BASELINE).modelFile());
        // as on a host whose /dev shows a GPU without its driver libraries: the CUDA provider fails, CPU goes on
        OpenedSession s = OrtSessionFactory.open(bytes, "sync-baseline.onnx", Device.AUTO, true);
        try (var session = s.session()) {
            assertThat(s.device()).isEqualTo(Device.CPU);
            assertThat(s.reason()).startsWith("AUTO: CUDA provider failed");
            assertThat(session.getInputNames()).contains("mouth");
        }
        // asked for by name, CUDA that cannot start is an error, not a silent CPU run
        assertThatThrownBy(() -> OrtSessionFactory.open(bytes, "sync-baseline.onnx", Device.CUDA, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not be initialised");
    }

    @Test
    void shaMismatchNamesBothHashes(@TempDir Path dir) throws Exception {
        String fake = "ab".repeat(32);
        Path m = copy(dir, t -> t.put("sha256", fake));
        String real = ModelFiles.sha256(dir.resolve("sync-baseline.onnx"));
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining(fake)
                .hasMessageContaining(real)
                .hasMessageContaining("sync-baseline.onnx");
    }

    @Test
    void wrongInputNameNamesTensors(@TempDir Path dir) throws Exception {
        Path m = copy(dir, t -> ((ObjectNode) t.get("inputs").get(0)).put("name", "lips"));
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("input 'lips'")
                .hasMessageContaining("input 'mouth'");
    }

    @Test
    void wrongInputShapeShowsBothShapes(@TempDir Path dir) throws Exception {
        Path m = copy(dir, t -> {
            ArrayNode shape = (ArrayNode) t.get("inputs").get(0).get("shape");
            shape.set(2, 48);
            shape.set(3, 48);
        });
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("input 'mouth': manifest shape [-1,50,48,48] but model has [-1,50,32,32]");
    }

    @Test
    void wrongOutputRankAndMissingOutput(@TempDir Path dir) throws Exception {
        Path m = copy(dir, t -> {
            ((ArrayNode) t.get("outputs").get(0).get("shape")).add(1);
            ((ArrayNode) t.get("outputs")).remove(2);
        });
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("output 'desync_prob': manifest shape [-1,1] but model has [-1]")
                .hasMessageContaining("output 'sync_confidence': present in the model but not declared");
    }

    @Test
    void wrongDtypeIsReported(@TempDir Path dir) throws Exception {
        Path m = copy(dir, t -> ((ObjectNode) t.get("outputs").get(1)).put("dtype", "int64"));
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .hasMessageContaining("output 'offset_frames': manifest dtype int64 but model has float32");
    }

    @Test
    void calibrationEditedWithoutRebuildIsCaught(@TempDir Path dir) throws Exception {
        Path m = copy(dir, t -> ((ObjectNode) t.get("calibration")).put("bias", 1.25));
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("calibration")
                .hasMessageContaining("rebuild");
        SyncBaselineModelBuilder.rebuild(m);
        try (LoadedModel model = ModelLoader.load(m, Device.CPU)) {
            assertThat(model.manifest().calibrationNumber("bias", 0)).isEqualTo(1.25);
        }
    }

    @Test
    void missingFileIsReported(@TempDir Path dir) throws Exception {
        Path m = copy(dir, t -> t.put("file", "nope.onnx"));
        assertThatThrownBy(() -> ModelLoader.load(m, Device.CPU))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("nope.onnx");
    }

    @Test
    void shapeCompatibilityRules() {
        assertThat(ModelLoader.shapeCompatible(new long[]{-1, 5}, new long[]{-1, 5})).isTrue();
        assertThat(ModelLoader.shapeCompatible(new long[]{-1, 5}, new long[]{-1, -1})).isTrue();
        assertThat(ModelLoader.shapeCompatible(new long[]{-1, 5}, new long[]{1, 5})).isFalse();
        assertThat(ModelLoader.shapeCompatible(new long[]{-1, 5}, new long[]{-1, 6})).isFalse();
        assertThat(ModelLoader.shapeCompatible(new long[]{-1, 5}, new long[]{-1, 5, 1})).isFalse();
    }

    @Test
    void deviceParsesCaseInsensitively() {
        assertThat(Device.parse("auto")).isEqualTo(Device.AUTO);
        assertThat(Device.parse(" Cuda ")).isEqualTo(Device.CUDA);
        assertThat(Device.parse("CPU")).isEqualTo(Device.CPU);
        assertThatThrownBy(() -> Device.parse("tpu")).hasMessageContaining("tpu").hasMessageContaining("cuda");
    }
}
