package io.lipsyncguard.job.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.score.ScoreStatus;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.models.Device;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The keyed aggregator on Flink's operator harness: windows that arrive out of order are folded in media order. */
class VerdictAggregatorTest {

    static ScoredWindow windowOf(String videoId) {
        float[] curve = new float[31];
        curve[15] = 1f;
        return new ScoredWindow(videoId, WindowKind.WINDOW, 0, 0, 2000, ScoreStatus.SCORED, 0.05, 0, 0.5, curve, 1, 1,
                0, true, null, 0);
    }

    static ScoredWindow window(int i, double score) {
        float[] curve = new float[31];
        curve[15] = 1f;
        return new ScoredWindow("v", WindowKind.WINDOW, i, i * 400L, i * 400L + 2000, ScoreStatus.SCORED, score, 0,
                0.5, curve, 1, 1, 0, true, null, 0);
    }

    static ScoredWindow end(int windows) {
        return end(windows, 0);
    }

    /** The END of a video whose decoder sent {@code errors} ERROR events before it. */
    static ScoredWindow end(int windows, long errors) {
        return new ScoredWindow("v", WindowKind.END, windows, 0, 6400, ScoreStatus.CONTROL, Double.NaN, 0, Double.NaN,
                new float[0], 1, 1, 0, true, null, 0, errors);
    }

    static final JobConfig CONFIG = JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU);

    /** The aggregator under {@link #CONFIG}, open. */
    static KeyedOneInputStreamOperatorTestHarness<String, ScoredWindow, Verdict> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new VerdictAggregator(CONFIG)),
                ScoredWindow::videoId, Types.STRING);
        h.open();
        return h;
    }

    static Verdict finalOf(int... order) throws Exception {
        try (var h = harness()) {
            for (int i : order) {
                // windows 0..5: a suspicious run of 4 s inside clean windows
                h.processElement(window(i, i < 6 ? 0.95 : 0.05), 0);
            }
            h.processElement(end(order.length), 0);
            List<Verdict> finals = new ArrayList<>(h.extractOutputValues()).stream()
                    .filter(v -> v.kind() != VerdictKind.ROLLING).toList();
            assertThat(finals).hasSize(1);
            return finals.get(0);
        }
    }

    static ScoredWindow error(long sequence, String reason) {
        return new ScoredWindow("v", WindowKind.ERROR, sequence, 0, 0, ScoreStatus.CONTROL, Double.NaN, 0, Double.NaN,
                new float[0], 0, 0, 0, true, reason, 0);
    }

    @Test
    void aVerdictStaysSmallWhateverItsVideosErrorsSay() throws Exception {
        // twenty errors of 100 000 characters each (events from a state older than the cut at the decoder)
        try (var h = harness()) {
            for (int i = 0; i < 20; i++) {
                h.processElement(error(i, "chunk " + i + " undecodable: " + "x".repeat(100_000)), 0);
            }
            h.processElement(end(0, 20), 0);
            Verdict v = h.extractOutputValues().stream().filter(x -> x.kind() != VerdictKind.ROLLING).findFirst()
                    .orElseThrow();
            assertThat(v.errors()).hasSize(VerdictAggregator.MAX_ERRORS)
                    .allSatisfy(e -> assertThat(e).hasSizeLessThanOrEqualTo(
                            io.lipsyncguard.connectors.kafka.ErrorRecord.MAX_REASON_CHARS));
            // far under a topic's default limit of 1 MiB
            assertThat(new VerdictSerializer().serialize(v)).hasSizeLessThan(64 * 1024);
        }
    }

    @Test
    void theFinalVerdictWaitsForTheErrorsTheEndCounts() throws Exception {
        try (var h = harness()) {
            h.processElement(error(1, "chunk 1 undecodable: x"), 0);
            for (int i = 0; i < 3; i++) {
                h.processElement(window(i, 0.05), 0);
            }
            // the decoder sent two errors before its END; after a rescale the second comes behind it
            h.processElement(end(3, 2), 0);
            assertThat(h.extractOutputValues()).noneMatch(v -> v.kind() != VerdictKind.ROLLING);
            h.processElement(error(4, "chunk 4 undecodable: y"), 0);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).singleElement()
                    .satisfies(v -> {
                        assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
                        assertThat(v.errors()).containsExactly("chunk 1 undecodable: x", "chunk 4 undecodable: y");
                    });
            // the bounded wait's timer finds the verdict out and sends no second one
            h.setProcessingTime(VerdictAggregator.endWaitMs(CONFIG.scoreTimeout()) + 1);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).hasSize(1);
        }
    }

    @Test
    void windowsThatNeverComeDelayTheFinalVerdictOnlyForABoundedTimeAndItSaysSo() throws Exception {
        try (var h = harness()) {
            // windows 2 and 6 of 8 never come (their aggregate state expired, say); 3..5 and 7 wait behind the gap
            for (int i : new int[] {0, 1, 3, 4, 5, 7}) {
                h.processElement(window(i, 0.05), 0);
            }
            h.processElement(end(8), 0);
            h.setProcessingTime(VerdictAggregator.endWaitMs(CONFIG.scoreTimeout()) - 1);
            assertThat(h.extractOutputValues()).noneMatch(v -> v.kind() != VerdictKind.ROLLING);
            h.setProcessingTime(VerdictAggregator.endWaitMs(CONFIG.scoreTimeout()));
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).singleElement()
                    .satisfies(v -> {
                        assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
                        assertThat(v.verdict()).isEqualTo(Label.REAL);
                        assertThat(v.windows().total()).isEqualTo(6);
                        assertThat(v.windows().scored()).isEqualTo(6);
                        assertThat(v.reasons()).contains("missing-windows");
                        assertThat(v.explanation()).contains("it covers the 6 that did");
                    });
            h.processElement(window(2, 0.05), 0); // too late: a straggler
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).hasSize(1);
        }
    }

    @Test
    void aWindowLostWhileTheVideoPlaysHoldsTheLaterOnesOnlyForAWait() throws Exception {
        long wait = VerdictAggregator.endWaitMs(CONFIG.scoreTimeout());
        var config = CONFIG.withRolling(5, 0);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new VerdictAggregator(config)), ScoredWindow::videoId, Types.STRING)) {
            h.open();
            // a live stream: window 2 never comes, the stream goes on
            for (int i = 0; i < 12; i++) {
                if (i != 2) {
                    h.processElement(window(i, 0.05), 0);
                }
                if (i == 6) {
                    h.setProcessingTime(wait / 2); // arrivals behind the gap do not put the wait off
                }
            }
            assertThat(h.extractOutputValues()).as("nothing behind the gap is folded while it may still come")
                    .isEmpty();
            h.setProcessingTime(wait - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(wait);
            h.processElement(window(12, 0.05), 0); // folded at once, and the ROLLING verdicts go on
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() == VerdictKind.ROLLING).last()
                    .satisfies(v -> assertThat(v.windows().total()).isEqualTo(12));
            h.processElement(window(2, 0.05), 0); // too late: given up
            // a second gap waits a full wait of its own, counted from when the first was given up
            h.processElement(window(14, 0.05), 0);
            h.setProcessingTime(2 * wait - 1);
            h.processElement(window(13, 0.05), 0); // came in time: nothing is skipped
            h.processElement(end(15), 0);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() == VerdictKind.FINAL).singleElement()
                    .satisfies(v -> {
                        assertThat(v.windows().total()).isEqualTo(14);
                        assertThat(v.reasons()).contains("missing-windows");
                    });
            h.setProcessingTime(3 * wait);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).hasSize(1);
        }
    }

    @Test
    void manyGapsAtOnceAreGivenUpWithinTwoWaitsNotOneWaitEach() throws Exception {
        long wait = VerdictAggregator.endWaitMs(CONFIG.scoreTimeout());
        try (var h = harness()) {
            // windows 4, 10 and 12 are lost; the rest come at once
            for (int i = 0; i < 16; i++) {
                if (i != 4 && i != 10 && i != 12) {
                    h.processElement(window(i, 0.05), 0);
                }
            }
            h.setProcessingTime(wait); // the head's gap is given up; all that waits now waits one more wait at most
            h.setProcessingTime(2 * wait);
            h.processElement(end(16), 0);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() == VerdictKind.FINAL).singleElement()
                    .satisfies(v -> {
                        assertThat(v.windows().total()).isEqualTo(13);
                        assertThat(v.reasons()).contains("missing-windows");
                    });
        }
    }

    @Test
    void aLostWindowBeforeTheEndIsGivenUpAWaitAfterARestoreAtTheEarliest() throws Exception {
        long wait = VerdictAggregator.endWaitMs(CONFIG.scoreTimeout());
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness()) {
            for (int i : new int[] {0, 1, 3, 4}) {
                h.processElement(window(i, 0.05), 0);
            }
            snapshot = h.snapshot(1L, 0);
        }
        try (var restored = restoredAnHourLater(snapshot)) {
            restored.processElement(end(6), 0);
            restored.processElement(window(5, 0.05), 0);
            restored.setProcessingTime(3_600_000 + wait - 1);
            assertThat(restored.extractOutputValues()).isEmpty();
            restored.setProcessingTime(3_600_000 + wait);
            assertThat(restored.extractOutputValues()).singleElement().satisfies(v -> {
                assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
                assertThat(v.windows().total()).isEqualTo(5);
                assertThat(v.reasons()).contains("missing-windows");
            });
        }
        try (var restored = restoredAnHourLater(snapshot)) {
            // still playing: the overdue gap timer fired at once, and the gap waits a full wait after the restore
            restored.processElement(window(5, 0.05), 0);
            restored.processElement(window(6, 0.05), 0);
            restored.setProcessingTime(3_600_000 + wait - 1);
            restored.processElement(window(2, 0.05), 0); // replayed by the restored scorer, in time
            restored.processElement(end(7), 0);
            assertThat(restored.extractOutputValues()).filteredOn(v -> v.kind() == VerdictKind.FINAL).singleElement()
                    .satisfies(v -> {
                        assertThat(v.windows().total()).isEqualTo(7);
                        assertThat(v.reasons()).isNull();
                    });
        }
    }

    @Test
    void timeTheJobWasDownDoesNotCountAsWaitingForTheMissingWindows() throws Exception {
        long wait = VerdictAggregator.endWaitMs(CONFIG.scoreTimeout());
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness()) {
            // window 2 is still in the scorer's queue (after a rescale) when the job goes down
            for (int i : new int[] {0, 1, 3}) {
                h.processElement(window(i, 0.05), 0);
            }
            h.processElement(end(4), 0);
            snapshot = h.snapshot(1L, 0);
        }
        try (var restored = restoredAnHourLater(snapshot)) {
            // the wait's timer is long overdue and fired at once
            assertThat(restored.extractOutputValues()).as("no FINAL before the restored queue has come through")
                    .isEmpty();
            restored.processElement(window(2, 0.05), 0); // replayed by the restored scorer
            assertThat(restored.extractOutputValues()).filteredOn(v -> v.kind() == VerdictKind.FINAL).singleElement()
                    .satisfies(v -> {
                        assertThat(v.windows().scored()).isEqualTo(4);
                        assertThat(v.reasons()).isNull();
                    });
        }
        // a window that is lost for good still ends in a FINAL, a wait after the restore
        try (var restored = restoredAnHourLater(snapshot)) {
            restored.setProcessingTime(3_600_000 + wait - 1);
            assertThat(restored.extractOutputValues()).isEmpty();
            restored.setProcessingTime(3_600_000 + wait);
            assertThat(restored.extractOutputValues()).singleElement()
                    .satisfies(v -> assertThat(v.reasons()).contains("missing-windows"));
        }
    }

    @Test
    void onlyAStateWrittenBeforeTimersWereArmedIsWalkedKeyByKeyOnRestore() throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState older;
        try (var h = harness()) { // the function's plain operator: state without the flag, as older jobs wrote it
            for (String id : new String[] {"a", "b", "c"}) {
                h.processElement(windowOf(id), 0);
            }
            older = h.snapshot(1L, 0);
        }
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState newer;
        try (var restored = restoredAnHourLater(older)) {
            VerdictAggregatorOperator op = (VerdictAggregatorOperator) restored.getOperator();
            assertThat(op.keysWalked).isEqualTo(3);
            newer = restored.snapshot(2L, 3_600_000);
        }
        try (var again = restoredAnHourLater(newer)) {
            // every key the walk could have armed a timer for was armed then: not read again at each restore
            assertThat(((VerdictAggregatorOperator) again.getOperator()).keysWalked).isEqualTo(-1);
        }
    }

    /** The aggregator's operator, as the job runs it, restored from {@code snapshot} an hour after it was taken. */
    static KeyedOneInputStreamOperatorTestHarness<String, ScoredWindow, Verdict> restoredAnHourLater(
            org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot) throws Exception {
        var restored = new KeyedOneInputStreamOperatorTestHarness<>(new VerdictAggregatorOperator(CONFIG),
                ScoredWindow::videoId, Types.STRING);
        restored.setProcessingTime(3_600_000); // the clock when the job comes back
        restored.initializeState(snapshot);
        restored.open();
        restored.setProcessingTime(3_600_000); // overdue timers fire
        return restored;
    }

    @Test
    void aSuspiciousRunDoesNotBridgeMediaThatNeverCame() throws Exception {
        try (var h = harness()) {
            // windows 2..8 never come: 2.4..3.6 s is covered by no window that arrived; both sides are suspicious
            for (int i : new int[] {0, 1, 9, 10}) {
                h.processElement(window(i, 0.95), 0);
            }
            h.processElement(end(11), 0);
            h.setProcessingTime(VerdictAggregator.endWaitMs(CONFIG.scoreTimeout()));
            Verdict v = h.extractOutputValues().stream().filter(x -> x.kind() == VerdictKind.FINAL).findFirst()
                    .orElseThrow();
            assertThat(v.reasons()).contains("missing-windows").doesNotContain("localized-manipulation");
            assertThat(v.segments()).isNotEmpty()
                    .allSatisfy(seg -> assertThat(seg.endMs() <= 2400 || seg.startMs() >= 3600).as("%s", seg).isTrue());
        }
    }

    @Test
    void aWindowAfterTheEndRearmsTheWait() throws Exception {
        try (var h = harness()) {
            h.processElement(window(0, 0.05), 0);
            h.processElement(end(4), 0);
            long wait = VerdictAggregator.endWaitMs(CONFIG.scoreTimeout());
            // still arriving, late: each arrival gives the rest another full wait
            h.setProcessingTime(wait - 10);
            h.processElement(window(2, 0.05), 0);
            h.setProcessingTime(wait + 10);
            h.processElement(window(1, 0.05), 0);
            h.setProcessingTime(2 * wait);
            assertThat(h.extractOutputValues()).noneMatch(x -> x.kind() != VerdictKind.ROLLING);
            h.processElement(window(3, 0.05), 0);
            assertThat(h.extractOutputValues()).filteredOn(x -> x.kind() != VerdictKind.ROLLING).singleElement()
                    .satisfies(x -> {
                        assertThat(x.windows().total()).isEqualTo(4);
                        assertThat(x.reasons()).as("a complete clean video has no reasons").isNull();
                    });
        }
    }

    @Test
    void anErrorThatNeverComesDelaysTheFinalVerdictOnlyForABoundedTime() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            for (int i = 0; i < 3; i++) {
                h.processElement(window(i, 0.05), 0);
            }
            h.processElement(end(3, 1), 0);
            h.setProcessingTime(1_000 + VerdictAggregator.endWaitMs(CONFIG.scoreTimeout()) - 1);
            assertThat(h.extractOutputValues()).noneMatch(v -> v.kind() != VerdictKind.ROLLING);
            h.setProcessingTime(1_000 + VerdictAggregator.endWaitMs(CONFIG.scoreTimeout()));
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).singleElement()
                    .satisfies(v -> {
                        assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
                        assertThat(v.verdict()).isEqualTo(Label.REAL);
                    });
            // the error, late beyond the wait, is a straggler: no second verdict
            h.processElement(error(2, "chunk 2 undecodable: z"), 0);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).hasSize(1);
        }
    }

    @Test
    void anEventAfterTheFinalVerdictStartsNothing() throws Exception {
        try (var h = harness()) {
            for (int i = 0; i < 3; i++) {
                h.processElement(window(i, 0.05), 0);
            }
            h.processElement(end(3), 0);
            int out = h.extractOutputValues().size();
            // as after a rescale, an error event of the video reaches the aggregator after its END, and a window twice
            h.processElement(error(2, "chunk 2 undecodable: x"), 0);
            h.processElement(window(2, 0.05), 0);
            h.processElement(end(3), 0);
            assertThat(h.extractOutputValues()).hasSize(out);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).hasSize(1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1); // the marker alone, until the state TTL
            // long after, when the decoder's tombstone has expired, the id is a new video with a verdict of its own
            h.setProcessingTime(VerdictAggregator.STRAGGLER_MS + 1);
            for (int i = 0; i < 3; i++) {
                h.processElement(window(i, 0.05), 0);
            }
            h.processElement(end(3), 0);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() != VerdictKind.ROLLING).hasSize(2);
        }
    }

    @Test
    void underAShortStateTtlANewVideoUnderTheIdIsNotTakenForStragglers() throws Exception {
        JobConfig hourTtl = CONFIG.withStateTimeToLive(java.time.Duration.ofHours(1));
        long window = VerdictAggregator.stragglerMs(hourTtl);
        // the decoder's tombstone may expire an hour after the END; the verdict may have come a wait after it
        assertThat(window).isEqualTo(3_600_000 - VerdictAggregator.endWaitMs(hourTtl.scoreTimeout()))
                .isLessThan(VerdictAggregator.STRAGGLER_MS);
        assertThat(VerdictAggregator.stragglerMs(CONFIG)).isEqualTo(VerdictAggregator.STRAGGLER_MS);
        // never shorter than the wait in which the stragglers come
        assertThat(VerdictAggregator.stragglerMs(CONFIG.withStateTimeToLive(java.time.Duration.ofMinutes(20))))
                .isEqualTo(VerdictAggregator.endWaitMs(CONFIG.scoreTimeout()));
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new VerdictAggregator(hourTtl)), ScoredWindow::videoId, Types.STRING)) {
            h.open();
            for (int i = 0; i < 3; i++) {
                h.processElement(window(i, 0.05), 0);
            }
            h.processElement(end(3), 0);
            h.setProcessingTime(window - 1);
            h.processElement(window(2, 0.05), 0); // a straggler: dropped
            h.setProcessingTime(window);
            for (int i = 0; i < 3; i++) {
                h.processElement(window(i, 0.05), 0); // a new video under the id, as the decoder let it begin
            }
            h.processElement(end(3), 0);
            assertThat(h.extractOutputValues()).filteredOn(v -> v.kind() == VerdictKind.FINAL).hasSize(2)
                    .allSatisfy(v -> assertThat(v.windows().scored()).isEqualTo(3));
        }
    }

    @Test
    void windowsOutOfOrderGiveTheVerdictOfWindowsInOrder() throws Exception {
        Verdict inOrder = finalOf(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        // as after a rescale: the async operator's in-flight windows reach the aggregator after later ones
        Verdict shuffled = finalOf(0, 1, 2, 8, 4, 5, 6, 7, 3, 9, 11, 10);
        assertThat(inOrder.reasons()).contains("localized-manipulation");
        assertThat(shuffled.verdict()).isEqualTo(inOrder.verdict());
        assertThat(shuffled.confidence()).isEqualTo(inOrder.confidence());
        assertThat(shuffled.reasons()).containsExactly(inOrder.reasons());
        assertThat(shuffled.segments()).usingRecursiveFieldByFieldElementComparator()
                .containsExactly(inOrder.segments());
        assertThat(shuffled.windows()).isEqualTo(inOrder.windows());
    }
}
