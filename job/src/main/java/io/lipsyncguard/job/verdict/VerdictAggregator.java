package io.lipsyncguard.job.verdict;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.models.ModelManifest;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per-video evidence in keyed state (Welford statistics, counts, summed lag curve); emits ROLLING verdicts while the
 * video plays and exactly one FINAL (or ERROR) verdict once its END event has arrived and every window is in.
 */
public class VerdictAggregator extends KeyedProcessFunction<String, ScoredWindow, Verdict> {

    static final int MAX_ERRORS = 8;

    private final JobConfig config;
    private transient ValueState<VideoAggregate> state;
    private transient DecisionPolicy policy;
    private transient ModelRef model;
    private transient Counter finals;
    private transient Counter rollings;
    private transient Counter errorVerdicts;

    public VerdictAggregator(JobConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        ModelManifest manifest = ModelManifest.readValid(config.manifestPath());
        policy = DecisionPolicy.fromManifest(manifest);
        model = new ModelRef(manifest.id(), manifest.version());
        state = getRuntimeContext().getState(
                config.withStateTtl(new ValueStateDescriptor<>("video-aggregate", VideoAggregate.class)));
        var group = getRuntimeContext().getMetricGroup();
        finals = group.counter("verdictsFinal");
        rollings = group.counter("verdictsRolling");
        errorVerdicts = group.counter("verdictsError");
    }

    @Override
    public void processElement(ScoredWindow w, Context ctx, Collector<Verdict> out) throws Exception {
        VideoAggregate a = state.value();
        if (a == null) {
            a = new VideoAggregate();
        }
        if (w.kind() == WindowKind.WINDOW) {
            add(a, w, config.recentWindows());
        } else if (w.kind() == WindowKind.ERROR) {
            addError(a, w.reason());
        } else {
            a.ended = true;
            a.expectedWindows = w.index();
            a.endReason = w.reason();
            a.hasAudio = w.hasAudio();
            a.mediaMs = Math.max(a.mediaMs, w.endMs());
            a.faceFraction = w.faceFraction();
            a.speechFraction = w.speechFraction();
        }
        long now = System.currentTimeMillis();
        if (a.ended && a.windowsSeen >= a.expectedWindows) {
            out.collect(finalVerdict(ctx.getCurrentKey(), a, now));
            state.clear();
            return;
        }
        boolean byCount = config.rollingEveryWindows() > 0 && a.windowsSinceRolling >= config.rollingEveryWindows();
        boolean byTime = config.rollingEveryMediaMs() > 0 && w.kind() == WindowKind.WINDOW
                && a.mediaMs - a.lastRollingMediaMs >= config.rollingEveryMediaMs();
        if (byCount || byTime) {
            a.windowsSinceRolling = 0;
            a.lastRollingMediaMs = a.mediaMs;
            rollings.inc();
            out.collect(verdict(ctx.getCurrentKey(), VerdictKind.ROLLING, a, now));
        }
        state.update(a);
    }

    /** Folds one window into the aggregate: scored windows into the statistics, the others into their class. */
    public static void add(VideoAggregate a, ScoredWindow w) {
        add(a, w, 5);
    }

    /** As {@link #add(VideoAggregate, ScoredWindow)}, keeping the latest {@code recentWindows} scores. */
    public static void add(VideoAggregate a, ScoredWindow w, int recentWindows) {
        a.windowsSeen++;
        a.windowsSinceRolling++;
        a.mediaMs = Math.max(a.mediaMs, w.endMs());
        switch (w.status()) {
            case SCORED -> {
                a.scored++;
                double[] s = {a.count, a.mean, a.m2};
                Welford.add(s, w.score());
                a.count = s[0];
                a.mean = s[1];
                a.m2 = s[2];
                a.offsetFramesSum += w.offsetFrames();
                if (recentWindows > 0) {
                    if (a.recent.length != recentWindows) {
                        a.recent = new double[recentWindows];
                        a.recentNext = 0;
                        a.recentCount = 0;
                    }
                    a.recent[a.recentNext] = w.score();
                    a.recentNext = (a.recentNext + 1) % recentWindows;
                    a.recentCount = Math.min(recentWindows, a.recentCount + 1);
                }
                float[] c = w.curve();
                if (c.length > 0) {
                    if (a.curveSum.length != c.length) {
                        a.curveSum = new float[c.length];
                    }
                    for (int i = 0; i < c.length; i++) {
                        a.curveSum[i] += c[i];
                    }
                }
            }
            case NO_FACE -> a.noFace++;
            case SILENT -> a.silent++;
            case MULTI_FACE -> a.multiFace++;
            default -> a.unscored++;
        }
    }

    static void addError(VideoAggregate a, String reason) {
        String[] e = Arrays.copyOf(a.errors, Math.min(MAX_ERRORS, a.errors.length + 1));
        if (a.errors.length >= MAX_ERRORS) {
            System.arraycopy(a.errors, 1, e, 0, MAX_ERRORS - 1);
        }
        e[e.length - 1] = reason;
        a.errors = e;
    }

    private Verdict finalVerdict(String videoId, VideoAggregate a, long now) {
        if ("undecodable".equals(a.endReason) || "no-video".equals(a.endReason)) {
            errorVerdicts.inc();
            String error = a.errors.length > 0 ? String.join("; ", a.errors)
                    : ("no-video".equals(a.endReason) ? "no video stream" : "undecodable media");
            return new Verdict(videoId, VerdictKind.ERROR, null, 0.0, null, null, null, counts(a), model,
                    new String[] {a.endReason}, error, a.mediaMs, now);
        }
        finals.inc();
        return verdict(videoId, VerdictKind.FINAL, a, now);
    }

    /** The verdict for the evidence so far. */
    public Verdict verdict(String videoId, VerdictKind kind, VideoAggregate a, long now) {
        return build(videoId, kind, a, policy, model, now);
    }

    /** Pure assembly of a verdict from an aggregate, used by the operator and by tests. */
    public static Verdict build(String videoId, VerdictKind kind, VideoAggregate a, DecisionPolicy policy,
            ModelRef model, long now) {
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, policy);
        List<String> reasons = d.reasons();
        ScoreStats stats = a.scored == 0 ? null
                : new ScoreStats(VerdictPolicy.round(a.mean), round6(Welford.variance(new double[] {a.count, a.mean,
                        a.m2})), a.scored, d.videoScore());
        String error = a.errors.length > 0 ? String.join("; ", a.errors) : null;
        ScoreStats recent = null;
        if (kind == VerdictKind.ROLLING && a.recentCount > 0) {
            double[] r = new double[3];
            for (int i = 0; i < a.recentCount; i++) {
                Welford.add(r, a.recent[i]);
            }
            recent = new ScoreStats(VerdictPolicy.round(r[1]), round6(Welford.variance(r)), a.recentCount, null);
        }
        return new Verdict(videoId, kind, d.label(), d.confidence(), stats, recent, d.offsetMs(), counts(a), model,
                reasons.isEmpty() ? null : reasons.toArray(new String[0]), error, a.mediaMs, now);
    }

    private static WindowCounts counts(VideoAggregate a) {
        return new WindowCounts(a.windowsSeen, a.scored, a.noFace, a.silent, a.multiFace, a.unscored);
    }

    private static double round6(double x) {
        return Math.round(x * 1e6) / 1e6;
    }
}
