package io.lipsyncguard.job.score;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.AudioSpec;
import io.lipsyncguard.models.ModelContractException;
import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.models.OrtSessionFactory;
import io.lipsyncguard.models.TensorSpec;
import java.nio.FloatBuffer;
import io.lipsyncguard.job.media.LibrosaMel;
import io.lipsyncguard.job.media.LipFdComposite;
import io.lipsyncguard.job.media.SyncNetMfcc;
import io.lipsyncguard.job.media.SyncNetTensors;
import io.lipsyncguard.models.Preprocessing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns a batch of windows into the model's input tensors, runs the session, and reads outputs by meaning. */
public final class ModelRunner {

    private ModelRunner() {}

    /**
     * Fails fast when a manifest asks for inputs this job cannot build yet, or declares settings the job would not
     * honour: a model fed other inputs than it was trained on scores garbage without any error.
     */
    public static void checkSupported(ModelManifest manifest) {
        Preprocessing p = manifest.preprocessing();
        for (TensorSpec in : manifest.inputs()) {
            if (!"float32".equals(in.dtype())) {
                throw unsupported(manifest, "input '" + in.name() + "' is " + in.dtype()
                        + "; this job feeds float32 tensors only");
            }
        }
        for (TensorSpec o : manifest.outputs()) {
            if (!"float32".equals(o.dtype())) {
                // read as float32, an int64 offset (an ArgMax's) failed every batch, and an int64 curve was dropped
                throw unsupported(manifest, "output '" + o.name() + "' is " + o.dtype()
                        + "; this job reads float32 tensors only (cast it in the graph)");
            }
        }
        if (isLipFd(manifest)) {
            if (p.sampleRate() != LibrosaMel.SAMPLE_RATE || p.windowFrames() != LipFdComposite.WINDOW
                    || !"mel-image".equals(p.audio().kind())) {
                throw new ModelContractException("model " + manifest.id() + " is LipFD-style, which this job builds "
                        + "from 5-frame windows at 22050 Hz with a mel-image audio input");
            }
            AudioSpec a = p.audio();
            if (a.nMels() != LibrosaMel.N_MELS || a.nFft() != LibrosaMel.N_FFT || a.hopLength() != LibrosaMel.HOP
                    || !"db".equals(a.log()) || !"raw255".equals(p.crop().normalization())
                    || p.crop().width() != LipFdComposite.CROP || p.crop().height() != LipFdComposite.CROP) {
                throw unsupported(manifest, "this job builds LipFD's inputs as its reference loader does: a "
                        + LibrosaMel.N_MELS + "-mel dB image (nFft " + LibrosaMel.N_FFT + ", hop " + LibrosaMel.HOP
                        + ") and " + LipFdComposite.CROP + "x" + LipFdComposite.CROP + " crops in raw 0..255");
            }
            if (manifest.output("fake_probability") == null) {
                throw unsupported(manifest, "a LipFD-style model needs an output meaning fake_probability");
            }
            requireProbability(manifest, "fake_probability");
            return;
        }
        if (isEmbeddingModel(manifest)) {
            if (!"face".equals(p.crop().kind()) || p.crop().channels() != 3
                    || p.crop().width() != SyncNetTensors.SIZE || p.crop().height() != SyncNetTensors.SIZE
                    || !"mfcc".equals(p.audio().kind()) || p.audio().nMfccOrZero() != SyncNetMfcc.COEFFICIENTS
                    || p.audio().melFramesPerVideoFrame() != SyncNetTensors.MFCC_PER_FRAME
                    || p.windowFrames() < SyncNetTensors.STACK) {
                throw new ModelContractException("model " + manifest.id() + " gives audio/video embeddings, which "
                        + "this job reads SyncNet's way: it needs 224x224 3-channel face crops, 13 MFCCs at 4 per "
                        + "video frame and windows of at least 5 frames");
            }
            AudioSpec a = p.audio();
            if (p.sampleRate() != SyncNetMfcc.SAMPLE_RATE || p.fps() * SyncNetTensors.MFCC_PER_FRAME
                    * SyncNetMfcc.STEP != SyncNetMfcc.SAMPLE_RATE || a.hopLength() != SyncNetMfcc.STEP
                    || a.winLength() != SyncNetMfcc.FRAME || a.nFft() != SyncNetMfcc.NFFT
                    || a.nMels() != SyncNetMfcc.FILTERS || !"raw255".equals(p.crop().normalization())) {
                throw unsupported(manifest, "this job computes SyncNet's MFCCs as syncnet_python does: 16000 Hz at "
                        + "25 fps, " + SyncNetMfcc.FILTERS + " filters, nFft " + SyncNetMfcc.NFFT + ", window "
                        + SyncNetMfcc.FRAME + ", hop " + SyncNetMfcc.STEP + ", with face crops in raw 0..255");
            }
            return;
        }
        for (TensorSpec in : manifest.inputs()) {
            if (!"mouth_crops".equals(in.feeds()) && !"audio_features".equals(in.feeds())) {
                throw new ModelContractException("model " + manifest.id() + " input '" + in.name() + "' feeds '"
                        + in.feeds() + "', which this job does not build yet (supported: mouth_crops, audio_features)");
            }
        }
        if (!"unit".equals(p.crop().normalization()) && !"raw255".equals(p.crop().normalization())) {
            throw unsupported(manifest, "crop normalization '" + p.crop().normalization() + "' is not built for mouth "
                    + "crops (supported: unit, raw255)");
        }
        if (!"logmel".equals(p.audio().kind()) || !"ln".equals(p.audio().log())) {
            throw unsupported(manifest, "audio features '" + p.audio().kind() + "' with log '" + p.audio().log()
                    + "' are not built for mouth-crop models (supported: logmel with the natural log)");
        }
        // each window's tensors are cut to these sizes: a shape that disagrees would fail every batch
        WindowSpec spec = WindowSpec.fromManifest(manifest);
        for (TensorSpec in : manifest.inputs()) {
            long need = "mouth_crops".equals(in.feeds()) ? (long) spec.windowFrames() * spec.cropPixels()
                    : (long) spec.spanFrames() * spec.melValuesPerFrame();
            long per = 1;
            for (int d = 1; d < in.shapeArray().length; d++) {
                per *= in.shapeArray()[d];
            }
            if (per != need) {
                throw unsupported(manifest, "input '" + in.name() + "' of shape " + in.shape() + " holds " + per
                        + " values per window, but the preprocessing makes " + need + " ("
                        + ("mouth_crops".equals(in.feeds()) ? "windowFrames x crop width x height"
                                : "(windowFrames + 2 offsetMarginFrames) x melFramesPerVideoFrame x nMels") + ")");
            }
            // the right count in another order ([mel][frame], frames last) would be fed transposed without an error
            long[] shape = in.shapeArray();
            int rank = shape.length;
            boolean laidOut = "mouth_crops".equals(in.feeds())
                    ? rank < 4 || (shape[rank - 2] == p.crop().height() && shape[rank - 1] == p.crop().width()
                            && (rank > 4 || shape[1] == spec.windowFrames()))
                    : rank < 3 || shape[rank - 1] == p.audio().nMels();
            if (!laidOut) {
                throw unsupported(manifest, "input '" + in.name() + "' of shape " + in.shape() + " is not laid out as "
                        + "this job builds it: " + ("mouth_crops".equals(in.feeds())
                                ? "[batch, windowFrames, crop height, crop width]"
                                : "[batch, mel frames, nMels], time first"));
            }
        }
        if (manifest.output("desync_probability") == null && manifest.output("fake_probability") == null) {
            throw new ModelContractException("model " + manifest.id()
                    + " has no output meaning desync_probability or fake_probability");
        }
        requireProbability(manifest, "desync_probability");
        requireProbability(manifest, "fake_probability");
    }

    /** A probability output, when there is one, is one number per window: [-1] or [-1, 1], never a softmax pair. */
    private static void requireProbability(ModelManifest manifest, String meaning) {
        TensorSpec out = manifest.output(meaning);
        if (out == null) {
            return;
        }
        List<Long> shape = out.shape();
        if (!(shape.size() == 1 || (shape.size() == 2 && shape.get(1) == 1L))) {
            throw unsupported(manifest, "output '" + out.name() + "' (" + meaning + ") has shape " + shape
                    + "; a probability is one number per window, [-1] or [-1, 1]");
        }
    }

    private static ModelContractException unsupported(ModelManifest manifest, String why) {
        return new ModelContractException("model " + manifest.id() + ": " + why);
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

    /** Whether the model outputs audio and video embeddings (the SyncNet family) rather than probabilities. */
    public static boolean isEmbeddingModel(ModelManifest manifest) {
        return manifest.output("video_embedding") != null && manifest.output("audio_embedding") != null;
    }

    /** Whether the model takes LipFD's composite image and multi-scale crops. */
    public static boolean isLipFd(ModelManifest manifest) {
        return manifest.inputs().stream().anyMatch(i -> "composite_image".equals(i.feeds()))
                && manifest.inputs().stream().anyMatch(i -> "multiscale_crops".equals(i.feeds()));
    }

    /** Runs one batch through the session; tensors are closed whatever happens. */
    public static List<WindowResult> score(OrtSession session, ModelManifest manifest, WindowSpec spec,
            List<AvWindow> batch) {
        if (isLipFd(manifest)) {
            return scoreLipFd(session, manifest, spec, batch);
        }
        if (isEmbeddingModel(manifest)) {
            List<WindowResult> out = new ArrayList<>(batch.size());
            for (AvWindow w : batch) {
                out.add(scoreEmbeddings(session, manifest, spec, w));
            }
            return out;
        }
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

    /**
     * A SyncNet-family window: embeddings of its T−4 five-frame video stacks and of the T−4+2K audio stacks around
     * them, syncnet_python's distance read-out over lags ±K ({@link SyncNetReadout#withContext}), and a probability
     * from the manifest's calibration: sigmoid(bias + weightConfidence·confidence + weightOffset·frames beyond the
     * tolerance). The lag curve is the negated mean distance, so its peak is the best lag.
     */
    static WindowResult scoreEmbeddings(OrtSession session, ModelManifest manifest, WindowSpec spec, AvWindow w) {
        int t = spec.windowFrames();
        int k = spec.marginFrames();
        int stacks = t - SyncNetTensors.STACK + 1;
        int audioStacks = stacks + 2 * k;
        int px = spec.cropPixels();
        byte[][] crops = new byte[t][];
        for (int f = 0; f < t; f++) {
            crops[f] = Arrays.copyOfRange(w.crops(), f * px, (f + 1) * px);
        }
        int perStack = 3 * SyncNetTensors.STACK * SyncNetTensors.SIZE * SyncNetTensors.SIZE;
        float[] video = new float[stacks * perStack];
        for (int s = 0; s < stacks; s++) {
            System.arraycopy(SyncNetTensors.videoStack(crops, s), 0, video, s * perStack, perStack);
        }
        int perAudio = SyncNetMfcc.COEFFICIENTS * SyncNetTensors.STACK * SyncNetTensors.MFCC_PER_FRAME;
        float[] audio = new float[audioStacks * perAudio];
        for (int a = 0; a < audioStacks; a++) {
            System.arraycopy(SyncNetTensors.audioStack(w.audio(), a), 0, audio, a * perAudio, perAudio);
        }
        TensorSpec videoIn = manifest.inputs().stream().filter(i -> "face_crops".equals(i.feeds())).findFirst()
                .orElseThrow(() -> new ModelContractException("no input feeds face_crops"));
        TensorSpec audioIn = manifest.inputs().stream().filter(i -> "audio_features".equals(i.feeds())).findFirst()
                .orElseThrow(() -> new ModelContractException("no input feeds audio_features"));
        OrtEnvironment env = OrtSessionFactory.environment();
        try (OnnxTensor v = OnnxTensor.createTensor(env, FloatBuffer.wrap(video),
                        new long[] {stacks, 3, SyncNetTensors.STACK, SyncNetTensors.SIZE, SyncNetTensors.SIZE});
                OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(audio),
                        new long[] {audioStacks, 1, SyncNetMfcc.COEFFICIENTS,
                            SyncNetTensors.STACK * SyncNetTensors.MFCC_PER_FRAME});
                OrtSession.Result result = session.run(Map.of(videoIn.name(), v, audioIn.name(), a))) {
            float[][] ve = (float[][]) result.get(manifest.output("video_embedding").name()).orElseThrow().getValue();
            float[][] ae = (float[][]) result.get(manifest.output("audio_embedding").name()).orElseThrow().getValue();
            SyncNetReadout r = SyncNetReadout.withContext(ve, ae, k);
            double offsetFrames = -r.offset(); // the job's sign: positive when the audio is later than the lips
            double tolerance = manifest.calibrationNumber("toleranceFrames", 3);
            double z = manifest.calibrationNumber("bias", 0) + manifest.calibrationNumber("weightConfidence", -1)
                    * r.confidence() + manifest.calibrationNumber("weightOffset", 1)
                    * Math.max(0, Math.abs(offsetFrames) - tolerance);
            float[] curve = new float[r.meanDistance().length];
            for (int i = 0; i < curve.length; i++) {
                curve[i] = (float) -r.meanDistance()[i];
            }
            return new WindowResult(1.0 / (1.0 + Math.exp(-z)), offsetFrames, r.confidence(), curve);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a SyncNet window: " + e.getMessage(), e);
        }
    }

    /**
     * LipFD windows: per window the streaming-causal mel strip of its five frames (the window's own STFT columns at
     * 22050/512 per second, dB and colours over the window, see {@link LipFdComposite#causalSlice}) over the frames,
     * then the global image and the three-scale crops, scored in one batch.
     */
    static List<WindowResult> scoreLipFd(OrtSession session, ModelManifest manifest, WindowSpec spec,
            List<AvWindow> batch) {
        int n = batch.size();
        int globalSize = 3 * LipFdComposite.GLOBAL * LipFdComposite.GLOBAL;
        int cropsSize = 3 * LipFdComposite.WINDOW * 3 * LipFdComposite.CROP * LipFdComposite.CROP;
        float[] global = new float[n * globalSize];
        float[] crops = new float[n * cropsSize];
        for (int b = 0; b < n; b++) {
            byte[] composite = lipFdComposite(batch.get(b), spec);
            System.arraycopy(LipFdComposite.globalInput(composite), 0, global, b * globalSize, globalSize);
            System.arraycopy(LipFdComposite.cropsInput(composite), 0, crops, b * cropsSize, cropsSize);
        }
        TensorSpec globalIn = manifest.inputs().stream().filter(i -> "composite_image".equals(i.feeds()))
                .findFirst().orElseThrow();
        TensorSpec cropsIn = manifest.inputs().stream().filter(i -> "multiscale_crops".equals(i.feeds()))
                .findFirst().orElseThrow();
        OrtEnvironment env = OrtSessionFactory.environment();
        try (OnnxTensor g = OnnxTensor.createTensor(env, FloatBuffer.wrap(global),
                        new long[] {n, 3, LipFdComposite.GLOBAL, LipFdComposite.GLOBAL});
                OnnxTensor c = OnnxTensor.createTensor(env, FloatBuffer.wrap(crops),
                        new long[] {n, 3, LipFdComposite.WINDOW, 3, LipFdComposite.CROP, LipFdComposite.CROP});
                OrtSession.Result result = session.run(Map.of(globalIn.name(), g, cropsIn.name(), c))) {
            float[] prob = vector(result, manifest, "fake_probability")
                    .orElseThrow(() -> new ModelContractException("no fake_probability output"));
            List<WindowResult> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new WindowResult(prob[i], 0, Double.NaN, new float[0]));
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a LipFD batch of " + n + ": " + e.getMessage(), e);
        }
    }

    /** The BGR composite of one window: its causal mel strip over its five 500×500 frames. */
    static byte[] lipFdComposite(AvWindow w, WindowSpec spec) {
        // the window's first grid frame from its index: from startMs it would be off by one wherever a frame's time
        // is not a whole millisecond (two start frames in three at 30 fps)
        long start = spec.windowStartFrame(w.index());
        long audioStart = (start - spec.marginFrames()) * spec.samplesPerFrame(); // absolute index of audio[0]
        // a stream knows the column rate, not the whole clip's column count: columns at sr/hop per second
        long[] cols = LipFdComposite.columns(start, (double) spec.sampleRate() / LibrosaMel.HOP / spec.fps());
        long[] centres = new long[(int) (cols[1] - cols[0])];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (cols[0] + i) * LibrosaMel.HOP - audioStart;
        }
        float[][] power = LibrosaMel.melPowerAt(w.audio(), centres);
        byte[] slice = LipFdComposite.causalSlice(power, 0, centres.length);
        int px = spec.cropPixels();
        byte[][] frames = new byte[LipFdComposite.WINDOW][];
        int[] size = new int[LipFdComposite.WINDOW];
        for (int f = 0; f < frames.length; f++) {
            frames[f] = Arrays.copyOfRange(w.crops(), f * px, (f + 1) * px);
            size[f] = LipFdComposite.FRAME;
        }
        return LipFdComposite.fromSlice(slice, centres.length, frames, size, size);
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
