package io.lipsyncguard.models;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Loads a model from its manifest: validates the contract, checks the file hash, opens the session, checks tensors. */
public final class ModelLoader {

    private ModelLoader() {
    }

    /** Full load; any contract break is a {@link ModelContractException}. The caller closes the result. */
    public static LoadedModel load(Path manifestJson, Device device) {
        return load(manifestJson, device, IN_MEMORY_LIMIT_BYTES);
    }

    /** As {@link #load(Path, Device)}, models over {@code inMemoryLimit} bytes opened from their file. */
    static LoadedModel load(Path manifestJson, Device device, long inMemoryLimit) {
        ModelManifest manifest = ModelManifest.readValid(manifestJson);
        Path onnx = manifest.modelFile();
        if (!Files.isRegularFile(onnx)) {
            throw new ModelContractException("model '" + manifest.id() + "': file " + onnx + " (field 'file') not found");
        }
        OpenedSession opened;
        if (fileSize(manifest, onnx) <= inMemoryLimit) {
            // read once: the bytes hashed are the bytes run, whatever happens to the file meanwhile
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(onnx);
            } catch (java.io.IOException e) {
                throw unreadable(manifest, onnx, e);
            }
            checkHash(manifest, onnx, ModelFiles.sha256(bytes));
            checkBuiltInModelIsCurrent(manifest, manifest.sha256()); // the file's hash, checked above
            opened = OrtSessionFactory.open(bytes, onnx.toString(), device);
        } else {
            // too large to hold on the heap as well: hashed before and after ONNX Runtime reads it
            checkHash(manifest, onnx, ModelFiles.sha256(onnx));
            checkBuiltInModelIsCurrent(manifest, manifest.sha256()); // the file's hash, checked above
            // opened from its path, ONNX Runtime would read weights kept in files beside it, which no hash covers
            // (from bytes, as smaller models are opened, it cannot find them and refuses)
            List<String> external;
            try {
                external = ExternalDataScan.externalTensors(onnx);
            } catch (java.io.IOException e) {
                throw unreadable(manifest, onnx, e);
            }
            if (!external.isEmpty()) {
                throw new ModelContractException("model '" + manifest.id() + "': " + onnx + " keeps the data of "
                        + external.size() + " tensor(s) in external files that the manifest's sha256 does not cover ("
                        + String.join(", ", external.subList(0, Math.min(5, external.size())))
                        + "); store the weights inside the model file");
            }
            opened = OrtSessionFactory.open(onnx, device);
            try {
                checkHash(manifest, onnx, ModelFiles.sha256(onnx));
            } catch (RuntimeException e) {
                closeQuietly(opened.session(), e);
                throw e;
            }
        }
        try {
            checkTensors(manifest, opened.session());
        } catch (RuntimeException e) {
            closeQuietly(opened.session(), e);
            throw e;
        }
        return new LoadedModel(manifest, opened.session(), opened.device());
    }

    /**
     * Largest model read into memory to be hashed and opened from the same bytes. Larger ones (a ViT-L LipFD, some
     * 1.2 GB) are opened from the file and hashed before and after; their weights must be inside the file too (checked
     * by {@link ExternalDataScan}), as ONNX Runtime would read external data files that no hash covers.
     */
    static final long IN_MEMORY_LIMIT_BYTES = 512L << 20;

    private static long fileSize(ModelManifest manifest, Path onnx) {
        try {
            return Files.size(onnx);
        } catch (java.io.IOException e) {
            throw unreadable(manifest, onnx, e);
        }
    }

    private static ModelContractException unreadable(ModelManifest manifest, Path onnx, java.io.IOException e) {
        return new ModelContractException("model '" + manifest.id() + "': cannot read " + onnx + ": " + e.getMessage(),
                e);
    }

    private static void checkHash(ModelManifest manifest, Path onnx, String actual) {
        if (!actual.equals(manifest.sha256())) {
            throw new ModelContractException("model '" + manifest.id() + "': sha256 mismatch for " + onnx
                    + ": manifest says " + manifest.sha256() + " but the file hashes to " + actual);
        }
    }

    /**
     * The built-in correlator's constants come from the manifest, so a manifest edited without a rebuild would be
     * silently ignored; rebuilding in memory (milliseconds) and comparing hashes catches that.
     */
    private static void checkBuiltInModelIsCurrent(ModelManifest manifest, String fileSha) {
        if (!SyncBaselineModelBuilder.FAMILY.equals(manifest.family())) {
            return;
        }
        String expected = ModelFiles.sha256(SyncBaselineModelBuilder.build(SyncBaselineModelBuilder.fromManifest(manifest)));
        if (!expected.equals(fileSha)) {
            throw new ModelContractException("model '" + manifest.id() + "': preprocessing/calibration in the manifest "
                    + "do not match " + manifest.modelFile() + " (a fresh build hashes to " + expected + ", the file to "
                    + fileSha + "); run SyncBaselineModelBuilder.rebuild on the manifest");
        }
    }

    /** Compares the manifest's declared inputs/outputs with the session's real ones. */
    public static void checkTensors(ModelManifest manifest, OrtSession session) {
        List<String> problems = new ArrayList<>();
        try {
            compare(problems, "input", manifest.inputs(), session.getInputInfo());
            compare(problems, "output", manifest.outputs(), session.getOutputInfo());
        } catch (OrtException e) {
            throw new ModelContractException("model '" + manifest.id() + "': cannot read tensor info: " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new ModelContractException("model '" + manifest.id() + "' does not match its manifest: "
                    + String.join("; ", problems));
        }
    }

    private static void compare(List<String> problems, String kind, List<TensorSpec> declared, Map<String, NodeInfo> real) {
        for (TensorSpec t : declared) {
            NodeInfo info = real.get(t.name());
            if (info == null) {
                problems.add(kind + " '" + t.name() + "': declared in the manifest but the model has no such " + kind
                        + " (model has " + real.keySet() + ")");
                continue;
            }
            if (!(info.getInfo() instanceof TensorInfo ti)) {
                problems.add(kind + " '" + t.name() + "': model value is not a tensor but " + info.getInfo());
                continue;
            }
            String realType = dtype(ti.type);
            if (!t.dtype().equals(realType)) {
                problems.add(kind + " '" + t.name() + "': manifest dtype " + t.dtype() + " but model has " + realType);
            }
            long[] want = t.shapeArray();
            long[] have = ti.getShape();
            if (!shapeCompatible(want, have)) {
                problems.add(kind + " '" + t.name() + "': manifest shape " + TensorSpec.render(want)
                        + " but model has " + TensorSpec.render(have));
            }
        }
        for (String name : real.keySet()) {
            if (declared.stream().noneMatch(t -> t.name().equals(name))) {
                problems.add(kind + " '" + name + "': present in the model but not declared in the manifest");
            }
        }
    }

    /** Same rank; a static manifest dim must match, a dynamic (-1) manifest dim needs a dynamic model dim. */
    static boolean shapeCompatible(long[] manifest, long[] model) {
        if (manifest.length != model.length) {
            return false;
        }
        for (int i = 0; i < manifest.length; i++) {
            boolean modelDynamic = model[i] < 0;
            if (manifest[i] < 0 && !modelDynamic) {
                return false;
            }
            // A dynamic model dim accepts whatever static size the manifest promises to feed.
            if (manifest[i] >= 0 && !modelDynamic && manifest[i] != model[i]) {
                return false;
            }
        }
        return true;
    }

    private static String dtype(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> "float32";
            case INT64 -> "int64";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static void closeQuietly(OrtSession s, RuntimeException primary) {
        try {
            s.close();
        } catch (OrtException e) {
            primary.addSuppressed(e);
        }
    }
}
