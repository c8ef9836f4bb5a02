package io.lipsyncguard.job.score;

import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.ModelLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model and one micro-batcher per JVM and model, shared by every scoring subtask in that task manager,
 * so parallel subtasks fill the same batches instead of each holding its own session (and GPU memory).
 */
public final class ScoringRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringRuntime.class);
    private static final Map<String, ScoringRuntime> SHARED = new HashMap<>();

    private final String key;
    private final LoadedModel model;
    private final WindowSpec spec;
    private final MicroBatcher<AvWindow, WindowResult> batcher;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedWindows = new AtomicLong();
    private volatile int lastBatchSize;
    private final java.util.List<java.util.function.IntConsumer> batchListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private int refs;

    private ScoringRuntime(String key, LoadedModel model, int maxBatch, Duration maxWait) {
        this.key = key;
        this.model = model;
        this.spec = WindowSpec.fromManifest(model.manifest());
        ModelRunner.checkSupported(model.manifest());
        this.batcher = new MicroBatcher<>("lipsync-scorer-" + model.manifest().id(), maxBatch, maxWait,
                batch -> ModelRunner.score(model.session(), model.manifest(), spec, batch), size -> {
                    batches.incrementAndGet();
                    batchedWindows.addAndGet(size);
                    lastBatchSize = size;
                    batchListeners.forEach(l -> l.accept(size));
                }, model::close); // the worker closes the session after its last batch, never under one
    }

    /** The shared runtime for this model and device, loading it on first use. */
    public static synchronized ScoringRuntime acquire(Path manifest, Device device, int maxBatch, Duration maxWait) {
        String key = manifest.toAbsolutePath().normalize() + "|" + device + "|" + maxBatch + "|" + maxWait;
        ScoringRuntime rt = SHARED.get(key);
        if (rt == null) {
            LoadedModel model = ModelLoader.load(manifest, device);
            LOG.info("scoring with model {} {} on {}", model.manifest().id(), model.manifest().version(),
                    model.device());
            try {
                rt = new ScoringRuntime(key, model, maxBatch, maxWait);
            } catch (RuntimeException | Error e) {
                // a model the job cannot run: its session (GPU memory on CUDA) must not outlive each failed open()
                model.close();
                throw e;
            }
            SHARED.put(key, rt);
        }
        rt.refs++;
        return rt;
    }

    /** Drops one reference; the last one closes the batcher and the session. */
    public static synchronized void release(ScoringRuntime rt) {
        if (rt == null) {
            return;
        }
        rt.refs--;
        if (rt.refs <= 0) {
            SHARED.remove(rt.key);
            rt.batcher.close(); // and its worker closes the model once its last batch is done
        }
    }

    public LoadedModel model() {
        return model;
    }

    public WindowSpec spec() {
        return spec;
    }

    public MicroBatcher<AvWindow, WindowResult> batcher() {
        return batcher;
    }

    public long batches() {
        return batches.get();
    }

    public double meanBatchSize() {
        long b = batches.get();
        return b == 0 ? 0 : (double) batchedWindows.get() / b;
    }

    /** Sees the size of every batch this runtime runs (from the batcher's thread), until removed. */
    public void addBatchListener(java.util.function.IntConsumer listener) {
        batchListeners.add(listener);
    }

    public void removeBatchListener(java.util.function.IntConsumer listener) {
        batchListeners.remove(listener);
    }

    public int lastBatchSize() {
        return lastBatchSize;
    }
}
