package io.lipsyncguard.job.verdict;

import io.lipsyncguard.connectors.kafka.ErrorRecord;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.score.ScoreStatus;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.models.ModelManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per-video evidence in keyed state (Welford statistics, counts, summed lag curve); emits ROLLING verdicts while the
 * video plays and exactly one FINAL (or ERROR) verdict once its END event has arrived and every window and error
 * event of the video is in.
 */
public class VerdictAggregator extends KeyedProcessFunction<String, ScoredWindow, Verdict> {

    static final int MAX_ERRORS = 8;

    /** Segments kept per video; a long live stream keeps its longest ones. */
    static final int MAX_SEGMENTS = 32;

    private final JobConfig config;
    private transient ValueState<VideoAggregate> state;
    /** Windows that arrived before one with a lower index, until it comes or is given up as lost. */
    private transient MapState<Long, ScoredWindow> early;
    private transient DecisionPolicy policy;
    private transient ModelRef model;
    private transient Counter finals;
    private transient Counter rollings;
    private transient Counter errorVerdicts;
    /** Processing time of this instance's first call: a wait after the END counts from no earlier. */
    private transient long firstCallMs;
    /** {@link #stragglerMs(JobConfig)} of this job's configuration. */
    private transient long stragglerMs;

    public VerdictAggregator(JobConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        firstCallMs = Long.MIN_VALUE; // set here: a transient field's initialiser does not run on deserialisation
        stragglerMs = stragglerMs(config);
        ModelManifest manifest = ModelManifest.readValid(config.manifestPath());
        policy = DecisionPolicy.fromManifest(manifest);
        model = new ModelRef(manifest.id(), manifest.version());
        state = getRuntimeContext().getState(aggregateDescriptor(config));
        early = getRuntimeContext().getMapState(config.withStateTtl(
                new MapStateDescriptor<>("early-windows", Long.class, ScoredWindow.class)));
        var group = getRuntimeContext().getMetricGroup();
        finals = group.counter("verdictsFinal");
        rollings = group.counter("verdictsRolling");
        errorVerdicts = group.counter("verdictsError");
    }

    /**
     * How long after a video's verdict its stragglers are dropped: they come soon after it (an event the async
     * operator's queue delivered late after a rescale, or one later than the wait after the END), while a new video
     * under the id can only begin once the decoder's tombstone has expired, a state TTL later.
     */
    static final long STRAGGLER_MS = 3_600_000;

    /**
     * {@link #STRAGGLER_MS}, or less under a short state TTL: the decoder's tombstone can expire a TTL after the END,
     * and the verdict may come up to a wait after it, so a new video under the id may begin that much sooner. Never
     * less than that wait, in which the stragglers themselves come.
     */
    static long stragglerMs(JobConfig config) {
        long wait = endWaitMs(config.scoreTimeout());
        if (config.stateTtl().isZero()) {
            return STRAGGLER_MS;
        }
        return Math.min(STRAGGLER_MS, Math.max(wait, config.stateTtl().toMillis() - wait));
    }

    @Override
    public void processElement(ScoredWindow w, Context ctx, Collector<Verdict> out) throws Exception {
        started(ctx.timerService().currentProcessingTime());
        VideoAggregate a = state.value();
        if (a == null) {
            a = new VideoAggregate();
        } else if (a.finalSent) {
            if (ctx.timerService().currentProcessingTime() - a.finalAtMs < stragglerMs) {
                return; // after the video's verdict: its error record went to the errors topic already
            }
            // long after it: the decoder's tombstone, written before this marker, has expired and the id began a
            // new video, which gets its own verdict
            a = new VideoAggregate();
        }
        if (w.kind() == WindowKind.WINDOW) {
            // windows are folded in index order from 0
            if (w.index() < nextIndex(a)) {
                return; // already folded in, or given up as lost
            }
            if (w.index() > nextIndex(a)) {
                // ahead of one still in flight: a rescale splits the async operator's in-flight windows over
                // subtasks, and runs of suspicious windows need media order
                early.put(w.index(), w);
                if (a.ended) {
                    awaitRest(a, ctx);
                } else if (a.gapWaitUntilMs <= 0) {
                    awaitGap(a, w.index(), ctx.timerService().currentProcessingTime(), ctx.timerService());
                }
                state.update(a);
                return;
            }
            add(a, w, config.recentWindows(), policy);
            foldInOrder(a);
            if (a.gapWaitUntilMs > 0 && (a.ended || early.isEmpty())) {
                // nothing waits behind a gap any more (or the END's wait has taken over): no wait; while windows
                // still wait, the wait goes on from when they began to
                ctx.timerService().deleteProcessingTimeTimer(a.gapWaitUntilMs);
                a.gapWaitUntilMs = 0;
            }
        } else if (w.kind() == WindowKind.ERROR) {
            addError(a, w.reason());
            a.errorsSeen++;
        } else {
            a.ended = true;
            a.expectedWindows = w.index();
            a.expectedErrors = w.errors();
            a.endReason = w.reason();
            a.hasAudio = w.hasAudio();
            a.mediaMs = Math.max(a.mediaMs, w.endMs());
            a.faceFraction = w.faceFraction();
            a.speechFraction = w.speechFraction();
        }
        // the processing-time clock is the wall clock in a job, and a test's own clock on its harness
        long now = ctx.timerService().currentProcessingTime();
        // windows and errors can come after the END once a rescale has split the async operator's queue
        if (a.ended && nextIndex(a) >= a.expectedWindows && a.errorsSeen >= a.expectedErrors) {
            sendFinal(ctx.getCurrentKey(), a, now, out);
            return;
        }
        awaitRest(a, ctx);
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

    /** The index of the next window to fold: those folded and those given up as lost before the END. */
    static long nextIndex(VideoAggregate a) {
        return a.windowsSeen + a.windowsSkipped;
    }

    /** Folds the windows waiting in early-window state that are next in line. */
    private void foldInOrder(VideoAggregate a) throws Exception {
        for (ScoredWindow next; (next = early.get(nextIndex(a))) != null; ) {
            early.remove(nextIndex(a));
            add(a, next, config.recentWindows(), policy);
        }
    }

    /**
     * Before the END, arms the wait for a window missing at the head of the line while later ones wait: without it a
     * lost window held every later one of a live stream, and all its ROLLING verdicts, until the END, and the waiting
     * windows grew without bound. The wait is as long as the one after the END. It covers the windows waiting now,
     * up to {@code throughIndex}: every gap below them is given up when it ends, however many there are, so that no
     * window waits longer than two waits and the waiting windows stay bounded however often windows are lost.
     */
    private void awaitGap(VideoAggregate a, long throughIndex, long nowMs, TimerService timers) {
        a.gapWaitUntilMs = nowMs + endWaitMs(config.scoreTimeout());
        a.gapWaitThroughIndex = throughIndex;
        timers.registerProcessingTimeTimer(a.gapWaitUntilMs);
    }

    /** The per-video state, as {@link VerdictAggregatorOperator} reads it too. */
    static ValueStateDescriptor<VideoAggregate> aggregateDescriptor(JobConfig config) {
        return config.withStateTtl(new ValueStateDescriptor<>("video-aggregate", VideoAggregate.class));
    }

    /**
     * Whether {@code a} ended and waits for its FINAL without a timer: restored from a state written before the wait
     * after the END had one (556769f and earlier).
     */
    static boolean endedWithoutTimer(VideoAggregate a) {
        return a != null && a.ended && !a.finalSent && a.endWaitUntilMs <= 0;
    }

    /** Notes the processing time of this instance's first call (its start, or its restore). */
    void started(long nowMs) {
        if (firstCallMs == Long.MIN_VALUE) {
            firstCallMs = nowMs;
        }
    }

    /**
     * How long after its END, or after the latest event that came since, the FINAL waits for windows and error events
     * still missing: a score timeout, in which each leaves the scorer, and ten minutes for backpressure after a
     * rescale. Only a lost event waits that long.
     */
    public static long endWaitMs(Duration scoreTimeout) {
        return scoreTimeout.toMillis() + 600_000;
    }

    /**
     * After the END, (re)arms the wait for what is still missing, counted from the latest arrival: each event leaves
     * the scorer within a score timeout, yet the verdict must come even should one never arrive (its state expired
     * while the decoder held the video back, a count gone wrong). A FINAL without some windows says so.
     */
    private void awaitRest(VideoAggregate a, Context ctx) {
        if (!a.ended) {
            return;
        }
        if (a.endWaitUntilMs > 0) {
            ctx.timerService().deleteProcessingTimeTimer(a.endWaitUntilMs);
        }
        a.endWaitUntilMs = ctx.timerService().currentProcessingTime() + endWaitMs(config.scoreTimeout());
        ctx.timerService().registerProcessingTimeTimer(a.endWaitUntilMs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Verdict> out) throws Exception {
        started(ctx.timerService().currentProcessingTime());
        VideoAggregate a = state.value();
        if (endedWithoutTimer(a)) {
            a.endWaitUntilMs = timestamp; // the timer its operator armed on the restore
        }
        if (a == null || a.finalSent) {
            return;
        }
        if (!a.ended) {
            if (a.gapWaitUntilMs > 0 && timestamp >= a.gapWaitUntilMs && !waitsAfterRestore(a.gapWaitUntilMs, ctx,
                    due -> a.gapWaitUntilMs = due)) {
                skipGap(a, timestamp, ctx.timerService());
            }
            state.update(a);
            return;
        }
        if (a.endWaitUntilMs <= 0 || timestamp < a.endWaitUntilMs) {
            return;
        }
        if (waitsAfterRestore(a.endWaitUntilMs, ctx, due -> a.endWaitUntilMs = due)) {
            state.update(a);
            return;
        }
        // the windows that came after a gap that never filled, folded in media order
        List<ScoredWindow> waiting = waiting();
        for (ScoredWindow w : waiting) {
            foldAfterGap(a, w);
        }
        sendFinal(ctx.getCurrentKey(), a, timestamp, out);
    }

    /**
     * Whether a wait due now must go on because the job was down for part of it: time down is no waiting, and a
     * restored job's overdue timers fire at once, before the windows restored in the scorer's queue have come
     * through. If so, the wait ends a full wait after the restore.
     */
    private boolean waitsAfterRestore(long untilMs, OnTimerContext ctx, java.util.function.LongConsumer rearmed) {
        long due = firstCallMs + endWaitMs(config.scoreTimeout());
        if (due <= untilMs) {
            return false;
        }
        rearmed.accept(due);
        ctx.timerService().registerProcessingTimeTimer(due);
        return true;
    }

    /**
     * Gives up the windows missing among those that waited the whole wait, of a video still playing, and folds
     * those and the ones that follow without a gap; the windows that came later behind a gap get a wait of their own.
     */
    private void skipGap(VideoAggregate a, long nowMs, TimerService timers) throws Exception {
        a.gapWaitUntilMs = 0;
        List<ScoredWindow> waiting = waiting();
        for (ScoredWindow w : waiting) {
            if (w.index() > a.gapWaitThroughIndex) {
                break;
            }
            early.remove(w.index());
            foldAfterGap(a, w);
        }
        foldInOrder(a);
        // what still waits is what lies beyond the windows folded: the last of the list is its highest
        long highest = waiting.isEmpty() ? -1 : waiting.get(waiting.size() - 1).index();
        if (highest >= nextIndex(a)) {
            awaitGap(a, highest, nowMs, timers);
        }
    }

    /** The windows in early-window state, in index order. */
    private List<ScoredWindow> waiting() throws Exception {
        List<ScoredWindow> waiting = new java.util.ArrayList<>();
        for (var e : early.entries()) {
            waiting.add(e.getValue());
        }
        waiting.sort(java.util.Comparator.comparingLong(ScoredWindow::index));
        return waiting;
    }

    /**
     * Folds {@code w}, which may come after windows that never arrived: those count as skipped, and a suspicious run
     * ends at a gap its windows do not cover, so that no segment claims media that was never seen (as for
     * unanswered windows).
     */
    private void foldAfterGap(VideoAggregate a, ScoredWindow w) {
        if (w.index() != nextIndex(a)) {
            if (w.startMs() >= a.runEndMs) {
                closeRun(a);
            }
            a.windowsSkipped += w.index() - nextIndex(a);
        }
        add(a, w, config.recentWindows(), policy);
    }

    /** Emits the video's FINAL (or ERROR) verdict and leaves the marker that turns away its stragglers. */
    private void sendFinal(String videoId, VideoAggregate a, long processingTimeMs, Collector<Verdict> out)
            throws Exception {
        out.collect(finalVerdict(videoId, a, processingTimeMs));
        VideoAggregate marker = new VideoAggregate();
        marker.finalSent = true;
        marker.finalAtMs = processingTimeMs;
        state.update(marker);
        early.clear();
    }

    /** Folds one window into the aggregate: scored windows into the statistics, the others into their class. */
    public static void add(VideoAggregate a, ScoredWindow w, DecisionPolicy policy) {
        add(a, w, 5, policy);
    }

    /**
     * As {@link #add(VideoAggregate, ScoredWindow, DecisionPolicy)}, keeping the latest {@code recentWindows} scores.
     * Windows must arrive in index order (they do: one decoder per video, ordered async scoring, keyed exchange), so
     * that a run of suspicious windows is a contiguous stretch of media.
     */
    public static void add(VideoAggregate a, ScoredWindow w, int recentWindows, DecisionPolicy policy) {
        a.windowsSeen++;
        a.windowsSinceRolling++;
        a.mediaMs = Math.max(a.mediaMs, w.endMs());
        switch (w.status()) {
            case SCORED -> {
                double[] o = {a.scored, a.offsetMean, a.offsetM2};
                Welford.add(o, w.offsetFrames());
                a.offsetMean = o[1];
                a.offsetM2 = o[2];
                double[] s = {a.scored, a.mean, a.m2};
                Welford.add(s, w.score());
                a.scored++;
                a.mean = s[1];
                a.m2 = s[2];
                if (w.score() >= policy.threshold()) {
                    a.aboveThreshold++;
                }
                double ownMs = VerdictPolicy.windowOffsetMs(w, policy);
                if (ownMs >= policy.maxOffsetMs()) {
                    a.offsetLate++;
                } else if (-ownMs >= policy.maxAudioLeadMs()) {
                    a.offsetEarly++;
                }
                if (w.score() >= policy.suspiciousScore()) {
                    if (a.runStartMs < 0) {
                        // windows overlap: a run after a single clean window would reclaim media the previous segment
                        // already reported, so segments start where the previous one ended and never overlap
                        a.runStartMs = Math.max(w.startMs(), a.lastSegmentEndMs);
                        a.runScoreSum = 0;
                        a.runWindows = 0;
                    }
                    a.runEndMs = w.endMs();
                    a.runScoreSum += w.score();
                    a.runWindows++;
                } else {
                    closeRun(a);
                }
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
            case LOW_QUALITY -> a.lowQuality++;
            case AUDIO_DROPOUT -> a.audioDropout++;
            case FROZEN_PICTURE -> a.frozenPicture++;
            default -> a.unscored++;
        }
        boolean unanswered = w.status() == ScoreStatus.TIMEOUT || w.status() == ScoreStatus.FAILED;
        if (w.status() != ScoreStatus.SCORED && !(unanswered && w.startMs() < a.runEndMs)) {
            // a window without evidence breaks the stretch: the segment claims only what was seen. One the model
            // did not answer (overload, a failed batch) is no evidence either way, and while it overlaps the run its
            // media is covered by the run's windows: breaking there let a failing batch in five cut a manipulated
            // stretch below the segment length. Past the run's end it breaks it, so an outage never becomes media
            // the run claims
            closeRun(a);
        }
    }

    /** Moves the open suspicious run into the closed segments, dropping the shortest when the list is full. */
    static void closeRun(VideoAggregate a) {
        if (a.runStartMs < 0) {
            return;
        }
        a.lastSegmentEndMs = a.runEndMs;
        int n = a.segmentStartMs.length;
        int drop = -1;
        if (n >= MAX_SEGMENTS) {
            drop = displacedByRun(a);
            if (drop < 0) {
                a.runStartMs = -1;
                return;
            }
        }
        long[] start = new long[drop < 0 ? n + 1 : n];
        long[] end = new long[start.length];
        double[] sum = new double[start.length];
        long[] windows = new long[start.length];
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (i != drop) {
                start[j] = a.segmentStartMs[i];
                end[j] = a.segmentEndMs[i];
                sum[j] = a.segmentScoreSum[i];
                windows[j] = a.segmentWindows[i];
                j++;
            }
        }
        start[j] = a.runStartMs;
        end[j] = a.runEndMs;
        sum[j] = a.runScoreSum;
        windows[j] = a.runWindows;
        a.segmentStartMs = start;
        a.segmentEndMs = end;
        a.segmentScoreSum = sum;
        a.segmentWindows = windows;
        a.runStartMs = -1;
    }

    /** With the cap reached, the shortest closed segment if the open run is longer than it, else -1. */
    private static int displacedByRun(VideoAggregate a) {
        int shortest = 0;
        for (int i = 1; i < a.segmentStartMs.length; i++) {
            if (a.segmentEndMs[i] - a.segmentStartMs[i]
                    < a.segmentEndMs[shortest] - a.segmentStartMs[shortest]) {
                shortest = i;
            }
        }
        return a.runEndMs - a.runStartMs > a.segmentEndMs[shortest] - a.segmentStartMs[shortest] ? shortest : -1;
    }

    /**
     * The closed segments plus the open run, in media order, at most {@link #MAX_SEGMENTS}: with the cap reached the
     * open run takes the shortest one's place only when it is longer, as {@link #closeRun} would decide.
     */
    public static Segment[] segments(VideoAggregate a) {
        int n = a.segmentStartMs.length;
        int drop = -1;
        boolean withRun = a.runStartMs >= 0;
        if (withRun && n >= MAX_SEGMENTS) {
            drop = displacedByRun(a);
            withRun = drop >= 0;
        }
        List<Segment> out = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            if (i != drop) {
                out.add(new Segment(a.segmentStartMs[i], a.segmentEndMs[i],
                        VerdictPolicy.round(a.segmentScoreSum[i] / a.segmentWindows[i]), a.segmentWindows[i]));
            }
        }
        if (withRun) {
            out.add(new Segment(a.runStartMs, a.runEndMs, VerdictPolicy.round(a.runScoreSum / a.runWindows),
                    a.runWindows));
        }
        return out.toArray(new Segment[0]);
    }

    static void addError(VideoAggregate a, String reason) {
        String[] e = Arrays.copyOf(a.errors, Math.min(MAX_ERRORS, a.errors.length + 1));
        if (a.errors.length >= MAX_ERRORS) {
            System.arraycopy(a.errors, 1, e, 0, MAX_ERRORS - 1);
        }
        // bounded where it is made too; an event restored from an older state is not
        e[e.length - 1] = ErrorRecord.bounded(reason);
        a.errors = e;
    }

    private Verdict finalVerdict(String videoId, VideoAggregate a, long now) {
        if ("undecodable".equals(a.endReason) || "no-video".equals(a.endReason)) {
            errorVerdicts.inc();
            String error = a.errors.length > 0 ? String.join("; ", a.errors)
                    : ("no-video".equals(a.endReason) ? "no video stream" : "undecodable media");
            Verdict v = new Verdict(videoId, VerdictKind.ERROR, null, 0.0, null, null, null, null, null, null, null,
                    null, null, counts(a), model, new String[] {a.endReason}, null, error,
                    a.errors.length > 0 ? a.errors.clone() : new String[] {error}, a.mediaMs, now);
            return withExplanation(v, policy);
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
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, policy, kind == VerdictKind.ROLLING);
        List<String> reasons = d.reasons();
        ScoreStats stats = a.scored == 0 ? null
                : new ScoreStats(VerdictPolicy.round(a.mean), round6(Welford.variance(new double[] {a.scored, a.mean,
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
        Verdict v = new Verdict(videoId, kind, d.label(), d.confidence(), d.risk(), stats, recent, d.misalignment(),
                d.stability(), d.offsetMs(), d.offsetSpreadMs(), d.syncConfidence(), d.segments(), counts(a), model,
                reasons.isEmpty() ? null : reasons.toArray(new String[0]), null, error,
                error == null ? null : a.errors.clone(), a.mediaMs, now);
        return withExplanation(v, policy);
    }

    static Verdict withExplanation(Verdict v, DecisionPolicy policy) {
        return new Verdict(v.videoId(), v.kind(), v.verdict(), v.confidence(), v.risk(), v.score(), v.recent(),
                v.misalignment(), v.stability(), v.offsetMs(), v.offsetSpreadMs(), v.syncConfidence(), v.segments(),
                v.windows(),
                v.model(), v.reasons(), VerdictExplanation.of(v, policy), v.error(), v.errors(), v.mediaMs(),
                v.emittedAtMs());
    }

    private static WindowCounts counts(VideoAggregate a) {
        return new WindowCounts(a.windowsSeen, a.scored, a.noFace, a.silent, a.multiFace, a.lowQuality,
                a.audioDropout, a.frozenPicture, a.unscored);
    }

    private static double round6(double x) {
        return Math.round(x * 1e6) / 1e6;
    }
}
