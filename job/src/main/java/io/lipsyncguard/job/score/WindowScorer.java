package io.lipsyncguard.job.score;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.Thresholds;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Async scoring of windows: windows with enough evidence go to the JVM-wide micro-batched model; the others, and
 * END/ERROR events, pass straight through with the reason they were not scored.
 */
public class WindowScorer extends RichAsyncFunction<AvWindow, ScoredWindow> {

    private final JobConfig config;
    private transient ScoringRuntime runtime;
    private transient Thresholds thresholds;
    private transient int cropPixels;
    private transient Counter scored;
    private transient Counter skipped;
    private transient Counter failed;
    private transient ScoreOutcomes outcomes;
    private transient Histogram latencyMs;
    private transient Histogram batchSize;
    private transient java.util.function.IntConsumer batchListener;

    public WindowScorer(JobConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        runtime = ScoringRuntime.acquire(config.manifestPath(), config.device(), config.maxBatch(),
                config.maxBatchWait());
        thresholds = runtime.model().manifest().thresholds();
        cropPixels = WindowSpec.fromManifest(runtime.model().manifest()).cropPixels();
        var group = getRuntimeContext().getMetricGroup();
        scored = group.counter("windowsScored");
        skipped = group.counter("windowsSkipped");
        failed = group.counter("windowsFailed");
        outcomes = new ScoreOutcomes(scored, failed, group.counter("windowsTimedOut"));
        group.gauge("windowsInFlight", outcomes::inFlight);
        group.gauge("batcherQueued", runtime.batcher()::queued); // the JVM's shared batcher, as meanBatchSize
        // 0 when --device auto fell back to the CPU (logged once; an alert wants a number)
        int onGpu = runtime.model().device() == Device.CUDA ? 1 : 0;
        group.gauge("onGpu", () -> onGpu);
        latencyMs = group.histogram("inferenceLatencyMs", new DescriptiveStatisticsHistogram(1000));
        // one sample per batch of the JVM's shared batcher (which also scores the other subtasks' windows)
        batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        batchListener = batchSize::update;
        runtime.addBatchListener(batchListener);
        group.gauge("meanBatchSize", runtime::meanBatchSize);
    }

    /**
     * Mean absolute grey-level change (per pixel, 0..255) below which two consecutive mouth crops are the same
     * picture: sensor and codec noise alone move a real mouth by more (at least 0.37 between any two frames of the
     * real clips in ../shared/data), a repeated frame by nothing.
     */
    static final double FROZEN_CHANGE = 0.25;

    /**
     * Frames a picture must stand still for to count as frozen: more than half a second, longer than the frames a
     * low-rate source repeats on the 25 fps grid (5 at 5 fps) and than a mouth held still between syllables.
     */
    static final int FROZEN_RUN_FRAMES = 13;

    /** Why a window cannot be scored, or null when it carries enough evidence. */
    public static ScoreStatus evidenceGate(AvWindow w, Thresholds t, int cropPixels) {
        if (w.faceFraction() < t.minFaceFraction()) {
            return ScoreStatus.NO_FACE;
        }
        if (w.multiFaceFraction() > 0.5) {
            return ScoreStatus.MULTI_FACE;
        }
        if (w.speechFraction() < t.minSpeechFraction()) {
            return ScoreStatus.SILENT;
        }
        if (w.dropoutFraction() > 0) {
            return ScoreStatus.AUDIO_DROPOUT;
        }
        if (cropContrast(w.crops()) < t.cropContrastFloor()) {
            return ScoreStatus.LOW_QUALITY;
        }
        // any freeze, not most of the window: where the picture stops and starts again is a step no mouth made,
        // which would decide the lag as a dropout's edges do
        if (frozenFraction(w.crops(), cropPixels) > 0) {
            return ScoreStatus.FROZEN_PICTURE;
        }
        return null;
    }

    /**
     * Share of a window's frames that lie in a run of at least {@link #FROZEN_RUN_FRAMES} crops each within
     * {@link #FROZEN_CHANGE} of the one before: 0 for a moving mouth, 1 for a still picture.
     */
    public static double frozenFraction(byte[] crops, int cropPixels) {
        int frames = cropPixels > 0 ? crops.length / cropPixels : 0;
        if (frames == 0) {
            return 0;
        }
        int frozen = 0;
        int run = 1; // frames in the current run of unchanged pictures
        for (int f = 1; f <= frames; f++) {
            if (f < frames && meanAbsoluteChange(crops, (f - 1) * cropPixels, f * cropPixels, cropPixels)
                    < FROZEN_CHANGE) {
                run++;
                continue;
            }
            if (run >= FROZEN_RUN_FRAMES) {
                frozen += run;
            }
            run = 1;
        }
        return (double) frozen / frames;
    }

    private static double meanAbsoluteChange(byte[] crops, int from, int to, int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.abs((crops[from + i] & 0xff) - (crops[to + i] & 0xff));
        }
        return (double) sum / n;
    }

    /** Standard deviation of the grey levels of a window's mouth crops (unsigned bytes): near 0 for flat or blank crops. */
    public static double cropContrast(byte[] crops) {
        if (crops.length == 0) {
            return 0;
        }
        double sum = 0;
        double sumSq = 0;
        for (byte b : crops) {
            int v = b & 0xff;
            sum += v;
            sumSq += (double) v * v;
        }
        double mean = sum / crops.length;
        return Math.sqrt(Math.max(0, sumSq / crops.length - mean * mean));
    }

    @Override
    public void asyncInvoke(AvWindow w, ResultFuture<ScoredWindow> out) {
        if (w.kind() != WindowKind.WINDOW) {
            out.complete(List.of(ScoredWindow.unscored(w, ScoreStatus.CONTROL, null)));
            return;
        }
        ScoreStatus gate = evidenceGate(w, thresholds, cropPixels);
        if (gate != null) {
            skipped.inc();
            out.complete(List.of(ScoredWindow.unscored(w, gate, null)));
            return;
        }
        long start = System.nanoTime();
        outcomes.started(out);
        // a window the async operator has timed out meanwhile is not scored: its TIMEOUT result is already out
        runtime.batcher().submit(w, config.scoreTimeout()).whenComplete((r, e) -> {
            if (e instanceof MicroBatcher.ExpiredException) {
                return;
            }
            if (e != null) {
                if (outcomes.answered(out, false)) {
                    out.complete(List.of(ScoredWindow.unscored(w, ScoreStatus.FAILED,
                            "model failed: " + e.getMessage())));
                }
            } else {
                ScoredWindow s = ScoredWindow.scored(w, r);
                if (outcomes.answered(out, s.isScored())) {
                    latencyMs.update((System.nanoTime() - start) / 1_000_000);
                    out.complete(List.of(s));
                }
            }
        });
    }

    @Override
    public void timeout(AvWindow w, ResultFuture<ScoredWindow> out) {
        if (!outcomes.timedOut(out)) {
            return; // answered as the timer fired: the answer, already counted, completes it
        }
        out.complete(List.of(ScoredWindow.unscored(w, ScoreStatus.TIMEOUT,
                "not scored within " + config.scoreTimeout().toMillis() + " ms")));
    }

    @Override
    public void close() {
        if (runtime != null && batchListener != null) {
            runtime.removeBatchListener(batchListener);
        }
        ScoringRuntime.release(runtime);
        runtime = null;
    }
}
