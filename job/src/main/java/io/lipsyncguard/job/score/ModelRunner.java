package io.lipsyncguard.job.score;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.ModelContractException;
import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.models.OrtSessionFactory;
import io.lipsyncguard.models.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns a batch of windows into the model's input tensors, runs the session, and reads outputs by meaning. */
public final class ModelRunner {

    private ModelRunner() {}

    /** Fails fast when a manifest asks for inputs this job cannot build yet. */
    public static void checkSupported(ModelManifest manifest) {
        for (TensorSpec in : manifest.inputs()) {
            if (!"mouth_crops".equals(in.feeds()) && !"audio_features".equals(in.feeds())) {
                throw new ModelContractException("model " + manifest.id() + " input '" + in.name() + "' feeds '"
                        + in.feeds() + "', which this job does not build yet (supported: mouth_crops, audio_features)");
            }
        }
        if (manifest.output("desync_probability") == null && manifest.output("fake_probability") == null) {
            throw new ModelContractException("model " + manifest.id()
                    + " has no output meaning desync_probability or fake_probability");
        }
    }

    /** Mouth crops of a batch as [N, T, H, W] floats, scaled as the manifest's crop normalisation says. */
    public static float[] mouthTensor(List<AvWindow> batch, WindowSpec spec, String normalization) {
        int per = spec.windowFrames() * spec.cropPixels();
        float[] out = new float[batch.size() * per];
        float scale = "raw255".equals(normalization) ? 1f : 1f / 255f;
        for (int n = 0; n < batch.size(); n++) {
            byte[] crops = batch.get(n).crops();
            if (crops.length != per) {
                throw new IllegalArgumentException("window " + batch.get(n) + " has " + crops.length
                        + " crop bytes, the model needs " + per);
            }
            for (int i = 0; i < per; i++) {
                out[n * per + i] = (crops[i] & 0xff) * scale;
            }
        }
        return out;
    }

    /** Audio features of a batch as [N, (T+2K)·M, nMels]. */
    public static float[] audioTensor(List<AvWindow> batch, WindowSpec spec) {
        int per = spec.spanFrames() * spec.melValuesPerFrame();
        float[] out = new float[batch.size() * per];
        for (int n = 0; n < batch.size(); n++) {
            float[] a = batch.get(n).audio();
            if (a.length != per) {
                throw new IllegalArgumentException("window " + batch.get(n) + " has " + a.length
                        + " audio values, the model needs " + per);
            }
            System.arraycopy(a, 0, out, n * per, per);
        }
        return out;
    }

    /** Runs one batch through the session; tensors are closed whatever happens. */
    public static List<WindowResult> score(OrtSession session, ModelManifest manifest, WindowSpec spec,
            List<AvWindow> batch) {
        OrtEnvironment env = OrtSessionFactory.environment();
        int n = batch.size();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (TensorSpec in : manifest.inputs()) {
                long[] shape = in.shapeArray().clone();
                shape[0] = n;
                float[] data = "mouth_crops".equals(in.feeds())
                        ? mouthTensor(batch, spec, manifest.preprocessing().crop().normalization())
                        : audioTensor(batch, spec);
                inputs.put(in.name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[] prob = vector(result, manifest, "desync_probability")
                        .or(() -> vector(result, manifest, "fake_probability"))
                        .orElseThrow(() -> new ModelContractException("no probability output"));
                float[] offset = vector(result, manifest, "offset_frames").orElse(new float[n]);
                float[] conf = vector(result, manifest, "sync_confidence").orElse(null);
                float[][] curve = matrix(result, manifest, "lag_curve");
                List<WindowResult> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(new WindowResult(prob[i], offset[i], conf == null ? Double.NaN : conf[i],
                            curve == null ? new float[0] : curve[i]));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static Optional<float[]> vector(OrtSession.Result result, ModelManifest manifest, String meaning)
            throws RuntimeException {
        TensorSpec spec = manifest.output(meaning);
        if (spec == null) {
            return Optional.empty();
        }
        Optional<OnnxValue> value = result.get(spec.name());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            Object v = value.get().getValue();
            if (v instanceof float[] f) {
                return Optional.of(f);
            }
            if (v instanceof float[][] f2) {
                float[] flat = new float[f2.length];
                for (int i = 0; i < f2.length; i++) {
                    flat[i] = f2[i][0];
                }
                return Optional.of(flat);
            }
            throw new ModelContractException("output " + spec.name() + " is " + v.getClass().getSimpleName()
                    + ", expected float32");
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[][] matrix(OrtSession.Result result, ModelManifest manifest, String meaning) {
        TensorSpec spec = manifest.output(meaning);
        if (spec == null) {
            return null;
        }
        try {
            Optional<OnnxValue> value = result.get(spec.name());
            return value.isPresent() && value.get().getValue() instanceof float[][] m ? m : null;
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
