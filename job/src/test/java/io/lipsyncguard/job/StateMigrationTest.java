package io.lipsyncguard.job;

import static io.lipsyncguard.job.StateSnapshotWriter.AGGREGATOR_SNAPSHOT;
import static io.lipsyncguard.job.StateSnapshotWriter.DECODER_PROPERTIES;
import static io.lipsyncguard.job.StateSnapshotWriter.DECODER_SNAPSHOT;
import static io.lipsyncguard.job.StateSnapshotWriter.MEDIA;
import static io.lipsyncguard.job.StateSnapshotWriter.MIGRATION;
import static io.lipsyncguard.job.StateSnapshotWriter.SCORER_SNAPSHOT;
import static io.lipsyncguard.job.StateSnapshotWriter.SNAPSHOT_AT_MS;
import static io.lipsyncguard.job.StateSnapshotWriter.aggregator;
import static io.lipsyncguard.job.StateSnapshotWriter.chunks;
import static io.lipsyncguard.job.StateSnapshotWriter.config;
import static io.lipsyncguard.job.StateSnapshotWriter.decoder;
import static io.lipsyncguard.job.StateSnapshotWriter.end;
import static io.lipsyncguard.job.StateSnapshotWriter.load;
import static io.lipsyncguard.job.StateSnapshotWriter.scorer;
import static io.lipsyncguard.job.StateSnapshotWriter.scorerInput;
import static io.lipsyncguard.job.StateSnapshotWriter.window;
import static io.lipsyncguard.job.StateSnapshotWriter.withheld;
import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Savepoints of earlier releases restore into this one: the keyed state each release's {@link StateSnapshotWriter}
 * froze under {@code src/test/resources/migration/} finishes its videos exactly as an uninterrupted run of this
 * version does.
 */
class StateMigrationTest {

    static final Path RELEASES = MIGRATION.resolve("releases");

    static Stream<String> releases() throws Exception {
        try (Stream<Path> dirs = Files.list(RELEASES)) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void theReleasesWhoseStateDiffersAreFrozen() throws Exception {
        // 556769f: before the END counted its errors (AvWindow, ScoredWindow and VideoAggregate grew fields after it)
        assertThat(releases()).contains("556769f", "a4392dc");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void aLiveVideoHeldInTheDecodersStateFinishesAsIfNeverStopped(String release) throws Exception {
        Path dir = RELEASES.resolve(release);
        Properties p = load(dir.resolve(DECODER_PROPERTIES));
        List<MediaChunk> chunks = chunks(MIGRATION.resolve(MEDIA));
        long missing = withheld(chunks.size());
        int eventsBefore = Integer.parseInt(p.getProperty("eventsBefore"));

        List<AvWindow> uninterrupted;
        try (var h = decoder()) {
            h.open();
            h.setProcessingTime(SNAPSHOT_AT_MS - 200);
            StateSnapshotWriter.sendAllBut(h, chunks, missing);
            assertThat(h.extractOutputValues()).as("what this version cuts before the missing chunk comes")
                    .hasSize(eventsBefore);
            h.processElement(chunks.get((int) missing), 0);
            uninterrupted = finishDecode(h);
        }
        assertThat(uninterrupted).filteredOn(w -> w.kind() == WindowKind.END).singleElement()
                .satisfies(e -> assertThat(e.errors()).isZero());

        try (var restored = decoder()) {
            restored.initializeState(OperatorSnapshotUtil.readStateHandle(dir.resolve(DECODER_SNAPSHOT).toString()));
            restored.open();
            restored.setProcessingTime(SNAPSHOT_AT_MS);
            restored.processElement(chunks.get((int) missing), 0);
            List<AvWindow> after = finishDecode(restored);
            assertThat(after).as("windows after the restore, bit for bit, and one END that counts every window")
                    .containsExactlyElementsOf(uninterrupted.subList(eventsBefore, uninterrupted.size()));
            assertThat(eventsBefore).as("windows cut before the snapshot").isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void windowsInFlightInTheScorersStateAreScoredAfterTheRestore(String release) throws Exception {
        // this version's decoder cuts the same windows as the release's did (the decoder's test above shows it)
        List<MediaChunk> chunks = chunks(MIGRATION.resolve(MEDIA));
        List<AvWindow> cut;
        try (var h = decoder()) {
            h.open();
            h.setProcessingTime(SNAPSHOT_AT_MS - 200);
            StateSnapshotWriter.sendAllBut(h, chunks, withheld(chunks.size()));
            cut = List.copyOf(h.extractOutputValues());
        }
        // one window per batch in both runs: ONNX Runtime's kernels for a batch of two can round a curve's last bit
        // differently from two batches of one, and the batcher's timer decides which it gets
        JobConfig alone = config().withBatching(1, Duration.ofMillis(1));
        List<ScoredWindow> uninterrupted;
        try (var h = scorer(alone)) {
            h.open();
            synchronized (h.getCheckpointLock()) {
                for (AvWindow w : scorerInput(cut)) {
                    h.processElement(w, 0);
                }
                h.endInput();
            }
            uninterrupted = List.copyOf(h.extractOutputValues());
        }
        assertThat(uninterrupted).extracting(ScoredWindow::kind)
                .containsExactly(WindowKind.WINDOW, WindowKind.WINDOW, WindowKind.ERROR);
        assertThat(uninterrupted).filteredOn(w -> w.kind() == WindowKind.WINDOW)
                .allSatisfy(w -> assertThat(w.curve()).hasSize(31));

        try (var restored = scorer(alone)) {
            restored.initializeState(OperatorSnapshotUtil.readStateHandle(
                    RELEASES.resolve(release).resolve(SCORER_SNAPSHOT).toString()));
            restored.open();
            synchronized (restored.getCheckpointLock()) {
                restored.endInput();
            }
            // scored as if never stopped: the same scores, curves and statuses, in order, with no error count
            assertThat(restored.extractOutputValues()).containsExactlyElementsOf(uninterrupted);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void videosHeldInTheAggregatorsStateGetTheirOneFinalVerdict(String release) throws Exception {
        List<Verdict> uninterrupted;
        try (var h = aggregator()) {
            StateSnapshotWriter.sendEventsBefore(h);
            int before = h.extractOutputValues().size();
            assertThat(h.extractOutputValues()).as("the FINAL of `done` before the snapshot")
                    .filteredOn(v -> v.kind() == VerdictKind.FINAL).extracting(Verdict::videoId)
                    .containsExactly("done");
            sendEventsAfter(h);
            uninterrupted = List.copyOf(h.extractOutputValues().subList(before, h.extractOutputValues().size()));
        }
        assertThat(uninterrupted).filteredOn(v -> v.kind() == VerdictKind.FINAL)
                .extracting(Verdict::videoId, v -> v.score().count())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("waiting", 6L),
                        org.assertj.core.groups.Tuple.tuple("open", 10L));

        try (var restored = aggregator()) {
            restored.initializeState(OperatorSnapshotUtil.readStateHandle(
                    RELEASES.resolve(release).resolve(AGGREGATOR_SNAPSHOT).toString()));
            restored.open();
            restored.setProcessingTime(SNAPSHOT_AT_MS);
            sendEventsAfter(restored);
            // the same verdicts, field for field: folded windows, Welford state, runs and offsets carried over
            assertThat(restored.extractOutputValues()).containsExactlyElementsOf(uninterrupted);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void aVideoThatEndedWaitingForAWindowGetsItsFinalVerdictEvenWhenTheWindowNeverComes(String release)
            throws Exception {
        long wait = io.lipsyncguard.job.verdict.VerdictAggregator.endWaitMs(config().scoreTimeout());
        long back = SNAPSHOT_AT_MS + 3 * wait; // the job comes back long after the snapshot
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new io.lipsyncguard.job.verdict.VerdictAggregatorOperator(config()), ScoredWindow::videoId,
                org.apache.flink.api.common.typeinfo.Types.STRING)) {
            restored.setProcessingTime(back);
            restored.initializeState(OperatorSnapshotUtil.readStateHandle(
                    RELEASES.resolve(release).resolve(AGGREGATOR_SNAPSHOT).toString()));
            restored.open(); // window 3 of `waiting` is lost for good
            restored.setProcessingTime(back + wait - 1);
            assertThat(restored.extractOutputValues()).as("no FINAL within a wait of the restore").isEmpty();
            restored.setProcessingTime(back + wait);
            // 556769f's state has no timer for it (the wait after the END came later): the operator arms one;
            // a4392dc's overdue timer fires at the restore and waits from there
            assertThat(restored.extractOutputValues()).singleElement().satisfies(v -> {
                assertThat(v.videoId()).isEqualTo("waiting");
                assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
                assertThat(v.emittedAtMs()).isEqualTo(back + wait);
                assertThat(v.reasons()).contains("missing-windows");
                assertThat(v.windows().scored()).isEqualTo(5);
            });
        }
    }

    /**
     * After the snapshot: the rest of {@code open} and its END, the window {@code waiting} waited for, and a
     * straggler of {@code done}, which must not give it a second verdict.
     */
    static void sendEventsAfter(KeyedOneInputStreamOperatorTestHarness<String, ScoredWindow, Verdict> h)
            throws Exception {
        h.setProcessingTime(SNAPSHOT_AT_MS + 1000);
        for (int i = 5; i < 10; i++) {
            h.processElement(window("open", i, 0.1, 0), 0);
        }
        h.processElement(end("open", 10), 0);
        h.processElement(window("waiting", 3, 0.9, 10), 0);
        h.processElement(window("done", 5, 0.1, 0), 0);
        h.setProcessingTime(SNAPSHOT_AT_MS + 2000);
    }

    /** Steps processing time until the video's END, a millisecond a step; returns all the harness's output. */
    static List<AvWindow> finishDecode(KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> h)
            throws Exception {
        for (int i = 0; i < 1000 && h.extractOutputValues().stream().noneMatch(w -> w.kind() == WindowKind.END); i++) {
            h.setProcessingTime(h.getProcessingTime() + 1);
        }
        assertThat(h.extractOutputValues()).as("the video ended").anyMatch(w -> w.kind() == WindowKind.END);
        return List.copyOf(h.extractOutputValues());
    }
}
