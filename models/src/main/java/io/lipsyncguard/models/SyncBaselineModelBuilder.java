package io.lipsyncguard.models;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@code sync-baseline} ONNX graph (a normalised audio-visual cross-correlator over lags -K..K with a
 * logistic read-out) deterministically from a {@link SyncBaselineSpec}, and rebuilds the committed model from its manifest.
 */
public final class SyncBaselineModelBuilder {

    /** Opset of the graph; every operator used keeps its opset-13 signature up to 17. */
    public static final int OPSET = 17;
    /** IR version matching opset 17. */
    public static final int IR_VERSION = 8;
    public static final String PRODUCER = "lipsync-guard";
    public static final String PRODUCER_VERSION = "sync-baseline-builder-1";
    public static final String FAMILY = "sync-correlation";
    static final float EPS = 1e-8f;

    private SyncBaselineModelBuilder() {
    }

    /** Rebuilds {@code <manifest dir>/<file>} from the manifest's spec and calibration and rewrites its sha256. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: SyncBaselineModelBuilder <path/to/manifest.json>");
            System.exit(2);
        }
        Path manifest = Path.of(args[0]);
        rebuild(manifest);
        System.out.println("rebuilt " + ModelManifest.read(manifest).modelFile() + " sha256="
                + ModelManifest.read(manifest).sha256());
    }

    /** Reads the spec from a sync-correlation manifest (geometry from preprocessing, weights from calibration). */
    public static SyncBaselineSpec fromManifest(ModelManifest m) {
        if (!FAMILY.equals(m.family())) {
            throw new ModelContractException("family: sync-baseline builder needs family '" + FAMILY + "' but manifest '"
                    + m.id() + "' has '" + m.family() + "'");
        }
        Preprocessing p = m.preprocessing();
        if (p == null || p.crop() == null || p.audio() == null) {
            throw new ModelContractException("preprocessing: crop and audio are required for " + m.id());
        }
        if (p.crop().channels() != 1) {
            throw new ModelContractException("preprocessing.crop.channels: sync-baseline takes grayscale (1) but is "
                    + p.crop().channels());
        }
        double tol = m.calibrationNumber("toleranceFrames", 3);
        if (tol != Math.rint(tol)) {
            throw new ModelContractException("calibration.toleranceFrames: must be an integer but is " + tol);
        }
        return new SyncBaselineSpec(p.windowFrames(), p.offsetMarginFrames(), p.crop().height(), p.crop().width(),
                p.audio().melFramesPerVideoFrame(), p.audio().nMels(), (int) tol,
                m.calibrationNumber("bias", 0.0), m.calibrationNumber("weightGap", 10.0),
                m.calibrationNumber("weightPeak", 0.0), m.calibrationString("audioSignal", SyncBaselineSpec.DELTA));
    }

    /** Rebuilds the ONNX file next to the manifest and rewrites only the manifest's {@code sha256} (canonical layout). */
    public static void rebuild(Path manifestJson) {
        ModelManifest m = ModelManifest.read(manifestJson);
        byte[] bytes = build(fromManifest(m));
        try {
            // written beside and moved over it: a job loading the model meanwhile reads the old file or the new one,
            // never half of one
            Path tmp = m.modelFile().resolveSibling(m.modelFile().getFileName() + ".rebuild");
            Files.write(tmp, bytes); // with the umask's permissions, as the file it replaces had
            Files.move(tmp, m.modelFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + m.modelFile(), e);
        }
        ObjectNode tree = ManifestJson.readTree(manifestJson);
        tree.put("sha256", ModelFiles.sha256(bytes));
        ManifestJson.writeTree(manifestJson, tree);
        ModelManifest.readValid(manifestJson);
    }

    /**
     * Replaces the manifest's {@code calibration} map (and {@code calibrationNotes} when non-null), then
     * {@link #rebuild(Path) rebuilds} the model so the graph's constants and the sha256 follow.
     */
    public static void writeCalibration(Path manifestJson, Map<String, Object> calibration, String notes) {
        fromManifest(ModelManifest.read(manifestJson)); // another family is refused before anything is written
        ObjectNode tree = ManifestJson.readTree(manifestJson);
        JsonNode cal = ManifestJson.MAPPER.valueToTree(new LinkedHashMap<>(calibration));
        // Re-inserting keeps "calibration" before "calibrationNotes" even when one of them was absent.
        JsonNode oldNotes = tree.remove("calibrationNotes");
        tree.remove("calibration");
        tree.set("calibration", cal);
        if (notes != null) {
            tree.put("calibrationNotes", notes);
        } else if (oldNotes != null) {
            tree.set("calibrationNotes", oldNotes);
        }
        // checked before anything is written: a calibration the graph cannot be built from, written first, left a
        // manifest whose sha256 no longer matched its (unchanged) model, and no job could load it
        ModelManifest updated = ModelManifest.fromTree(tree, manifestJson.toAbsolutePath().getParent());
        updated.validate();
        fromManifest(updated);
        ManifestJson.writeTree(manifestJson, tree);
        rebuild(manifestJson);
    }

    /** The serialized ONNX model; identical bytes for identical specs. */
    public static byte[] build(SyncBaselineSpec spec) {
        return buildModel(spec).toByteArray();
    }

    static OnnxMl.ModelProto buildModel(SyncBaselineSpec spec) {
        final int t = spec.windowFrames();
        final int k = spec.offsetMarginFrames();
        final int padded = spec.paddedFrames();
        final int lags = spec.lags();
        ONNXContext ctx = new ONNXContext();
        ctx.setName("sync_baseline");
        // Placeholder shapes are replaced below; the Tribuo helper only knows [batch, features].
        ONNXPlaceholder mouth = ctx.floatInput("mouth", 1);
        ONNXPlaceholder audio = ctx.floatInput("audio", 1);

        // Video motion v[t] = mean |mouth[t+1] - mouth[t]| -> [N, T-1]
        ONNXNode motion = op(ctx, SyncBaselineOps.ABS, "motion_abs", none(),
                op(ctx, ONNXOperators.SUB, "motion_diff", none(),
                        slice(ctx, mouth, 1, 1, t), slice(ctx, mouth, 1, 0, t - 1)));
        ONNXNode v = op(ctx, ONNXOperators.REDUCE_MEAN, "v", attrs("axes", new int[]{2, 3}, "keepdims", 0), motion);

        // Audio log energy per video frame e -> [N, T+2K]
        ONNXNode lse = op(ctx, SyncBaselineOps.REDUCE_LOG_SUM_EXP, "mel_energy",
                attrs("axes", new int[]{2}, "keepdims", 0), audio);
        ONNXNode perFrame = op(ctx, SyncBaselineOps.RESHAPE, "mel_energy_frames", none(), lse,
                ctx.array("energy_shape", new long[]{-1, padded, spec.melFramesPerVideoFrame()}));
        ONNXNode e = op(ctx, ONNXOperators.REDUCE_MEAN, "e", attrs("axes", new int[]{2}, "keepdims", 0), perFrame);
        ONNXRef<?> a;
        if (SyncBaselineSpec.DELTA.equals(spec.audioSignal())) {
            a = op(ctx, SyncBaselineOps.ABS, "a", none(), op(ctx, ONNXOperators.SUB, "e_diff", none(),
                    slice(ctx, e, 1, 1, padded), slice(ctx, e, 1, 0, padded - 1)));
        } else {
            a = slice(ctx, e, 1, 1, padded);
        }

        // Lagged audio rows: row k holds a[t+k], i.e. audio at window frame t+1+(k-K) -> [N, 2K+1, T-1]
        long[] idx = new long[lags * (t - 1)];
        for (int row = 0; row < lags; row++) {
            for (int col = 0; col < t - 1; col++) {
                idx[row * (t - 1) + col] = row + col;
            }
        }
        ONNXNode lagIdx = op(ctx, SyncBaselineOps.CONSTANT, "lag_index",
                attrs("value", int64Tensor("lag_index_value", new long[]{lags, t - 1}, idx)));
        ONNXNode lagged = op(ctx, ONNXOperators.GATHER, "lagged_audio", attrs("axis", 1), a, lagIdx);

        ONNXInitializer eps = ctx.constant("eps", EPS);
        ONNXNode an = normalise(ctx, "an", lagged, 2, eps);
        ONNXNode vn = normalise(ctx, "vn", v, 1, eps);
        ONNXNode vu = op(ctx, ONNXOperators.UNSQUEEZE, "vn_row", none(), vn, ctx.array("axes_1", new long[]{1}));
        ONNXNode curve = op(ctx, ONNXOperators.REDUCE_SUM, "curve_raw", attrs("keepdims", 0),
                op(ctx, ONNXOperators.MUL, "products", none(), an, vu), ctx.array("axes_2", new long[]{2}));

        // offset = argmax - K (first maximum on ties)
        ONNXNode argmax = op(ctx, SyncBaselineOps.ARG_MAX, "argmax",
                attrs("axis", 1, "keepdims", 0, "select_last_index", 0), curve);
        ONNXNode offset = op(ctx, ONNXOperators.SUB, "offset_raw", none(),
                op(ctx, ONNXOperators.CAST, "argmax_f", attrs("to", OnnxMl.TensorProto.DataType.FLOAT.getNumber()), argmax),
                ctx.constant("margin", (float) k));

        // confidence = max - median, median = (K+1)-th largest = min of the top K+1
        ONNXNode max = op(ctx, SyncBaselineOps.REDUCE_MAX, "curve_max", attrs("axes", new int[]{1}, "keepdims", 0), curve);
        List<ONNXNode> topk = ctx.operation(SyncBaselineOps.TOP_K, List.of(curve, ctx.array("top_k", new long[]{k + 1})),
                List.of("top_values", "top_indices"), attrs("axis", 1, "largest", 1, "sorted", 1));
        ONNXNode median = op(ctx, ONNXOperators.REDUCE_MIN, "curve_median", attrs("axes", new int[]{1}, "keepdims", 0),
                topk.get(0));
        ONNXNode confidence = op(ctx, ONNXOperators.SUB, "confidence_raw", none(), max, median);

        // desync probability = sigmoid(bias + wGap*(offMax - inMax) + wPeak*inMax)
        long[][] split = lagSplit(k, spec.toleranceFrames());
        ONNXNode inMax = op(ctx, SyncBaselineOps.REDUCE_MAX, "in_sync_max", attrs("axes", new int[]{1}, "keepdims", 0),
                op(ctx, ONNXOperators.GATHER, "in_sync", attrs("axis", 1), curve, ctx.array("in_sync_lags", split[0])));
        ONNXNode offMax = op(ctx, SyncBaselineOps.REDUCE_MAX, "off_sync_max", attrs("axes", new int[]{1}, "keepdims", 0),
                op(ctx, ONNXOperators.GATHER, "off_sync", attrs("axis", 1), curve, ctx.array("off_sync_lags", split[1])));
        ONNXNode gap = op(ctx, ONNXOperators.SUB, "gap", none(), offMax, inMax);
        ONNXNode logit = op(ctx, ONNXOperators.ADD, "logit", none(),
                op(ctx, ONNXOperators.ADD, "logit_gap", none(), ctx.constant("bias", (float) spec.bias()),
                        op(ctx, ONNXOperators.MUL, "gap_term", none(), gap, ctx.constant("weight_gap", (float) spec.weightGap()))),
                op(ctx, ONNXOperators.MUL, "peak_term", none(), inMax, ctx.constant("weight_peak", (float) spec.weightPeak())));
        ONNXNode prob = op(ctx, ONNXOperators.SIGMOID, "prob", none(), logit);

        ctx.assignTo(prob, ctx.floatOutput("desync_prob", 1));
        ctx.assignTo(offset, ctx.floatOutput("offset_frames", 1));
        ctx.assignTo(confidence, ctx.floatOutput("sync_confidence", 1));
        ctx.assignTo(curve, ctx.floatOutput("curve", lags));

        OnnxMl.GraphProto graph = ctx.buildGraph().toBuilder()
                .clearInput()
                .addInput(valueInfo("mouth", -1, t, spec.height(), spec.width()))
                .addInput(valueInfo("audio", -1, spec.audioFrames(), spec.nMels()))
                .clearOutput()
                .addOutput(valueInfo("desync_prob", -1))
                .addOutput(valueInfo("offset_frames", -1))
                .addOutput(valueInfo("sync_confidence", -1))
                .addOutput(valueInfo("curve", -1, lags))
                .setDocString("Normalised cross-correlation of mouth motion and audio energy over lags -K..K; "
                        + "positive lag = audio later than video.")
                .build();
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setProducerVersion(PRODUCER_VERSION)
                .setDomain("io.lipsyncguard")
                .setModelVersion(1)
                .setDocString("sync-baseline: hand-designed calibrated audio-visual sync correlator")
                .addMetadataProps(meta("windowFrames", Integer.toString(t)))
                .addMetadataProps(meta("offsetMarginFrames", Integer.toString(k)))
                .addMetadataProps(meta("toleranceFrames", Integer.toString(spec.toleranceFrames())))
                .addMetadataProps(meta("bias", Double.toString(spec.bias())))
                .addMetadataProps(meta("weightGap", Double.toString(spec.weightGap())))
                .addMetadataProps(meta("weightPeak", Double.toString(spec.weightPeak())))
                .addMetadataProps(meta("audioSignal", spec.audioSignal()))
                .addMetadataProps(meta("lagSign", "positive offset = audio later than video"))
                .setGraph(graph)
                .build();
    }

    /** Curve indices [in-sync (|L| <= tol), off-sync (the rest)] for lag L = index - K. */
    static long[][] lagSplit(int k, int tol) {
        long[] in = new long[2 * tol + 1];
        long[] off = new long[2 * k + 1 - in.length];
        int i = 0;
        int o = 0;
        for (int idx = 0; idx <= 2 * k; idx++) {
            if (Math.abs(idx - k) <= tol) {
                in[i++] = idx;
            } else {
                off[o++] = idx;
            }
        }
        return new long[][]{in, off};
    }

    /** (x - mean) / sqrt(sum((x - mean)^2) + eps) along {@code axis}. */
    private static ONNXNode normalise(ONNXContext ctx, String name, ONNXRef<?> x, int axis, ONNXRef<?> eps) {
        ONNXNode mean = op(ctx, ONNXOperators.REDUCE_MEAN, name + "_mean", attrs("axes", new int[]{axis}, "keepdims", 1), x);
        ONNXNode centred = op(ctx, ONNXOperators.SUB, name + "_centred", none(), x, mean);
        ONNXNode ss = op(ctx, ONNXOperators.REDUCE_SUM, name + "_ss", attrs("keepdims", 1),
                op(ctx, ONNXOperators.MUL, name + "_sq", none(), centred, centred),
                ctx.array(name + "_axes", new long[]{axis}));
        ONNXNode norm = op(ctx, SyncBaselineOps.SQRT, name + "_norm", none(),
                op(ctx, ONNXOperators.ADD, name + "_ss_eps", none(), ss, eps));
        return op(ctx, ONNXOperators.DIV, name, none(), centred, norm);
    }

    private static ONNXNode slice(ONNXContext ctx, ONNXRef<?> x, int axis, long start, long end) {
        return op(ctx, SyncBaselineOps.SLICE, "slice", none(), x,
                ctx.array("starts", new long[]{start}), ctx.array("ends", new long[]{end}),
                ctx.array("axes", new long[]{axis}));
    }

    private static ONNXNode op(ONNXContext ctx, ONNXOperator op, String out, Map<String, Object> attrs, ONNXRef<?>... in) {
        return ctx.operation(op, Arrays.asList(in), out, attrs);
    }

    private static Map<String, Object> none() {
        return Map.of();
    }

    /** Insertion-ordered attributes so the serialized node is byte-stable. */
    private static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static OnnxMl.TensorProto int64Tensor(String name, long[] dims, long[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder()
                .setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .setRawData(com.google.protobuf.ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
                .build();
    }

    private static OnnxMl.StringStringEntryProto meta(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
