package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkContentTypes;
import io.lipsyncguard.connectors.kafka.ReferencePolicy;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keyed decoder on Flink's operator test harness: a referenced file decodes one segment per step, lets other
 * videos through between steps, and a job restored from a snapshot taken mid-file gives exactly the windows of one
 * uninterrupted decode.
 */
class ChunkDecoderTest {

    @TempDir
    static Path tmp;

    /** 24 s: two full 10 s segments and a rest, so a snapshot can fall between segments. */
    static Path longClip;
    static Path shortClip;
    static Path otherClip;
    static WindowSpec spec;
    static List<AvWindow> wholeDecode;

    @BeforeAll
    static void clips() throws Exception {
        longClip = tmp.resolve("long.mp4");
        TalkingHeadGenerator.write(longClip, SampleSpec.inSync(41, 24));
        shortClip = tmp.resolve("short.mp4");
        TalkingHeadGenerator.write(shortClip, SampleSpec.inSync(42, 4));
        otherClip = tmp.resolve("other.mp4");
        TalkingHeadGenerator.write(otherClip, SampleSpec.inSync(43, 4));
        spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        try (var h = harness(config().withInterleavedDecodes(false))) {
            h.processElement(reference("long", longClip), 0);
            wholeDecode = List.copyOf(h.extractOutputValues());
        }
    }

    static JobConfig config() {
        return JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> harness(JobConfig config)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new ChunkDecoder(config)),
                MediaChunk::videoId, Types.STRING);
        h.open();
        return h;
    }

    static MediaChunk reference(String videoId, Path file) {
        return MediaChunk.wholeFile(videoId, file.toUri().toString());
    }

    /** Advances processing time a millisecond at a time until {@code done} holds of the output; returns the steps. */
    static int stepUntil(KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> h,
            Predicate<List<AvWindow>> done) throws Exception {
        int steps = 0;
        while (!done.test(h.extractOutputValues())) {
            assertThat(steps).as("steps before the decode ends").isLessThan(1000);
            h.setProcessingTime(h.getProcessingTime() + 1);
            steps++;
        }
        return steps;
    }

    static Predicate<List<AvWindow>> ended(String videoId) {
        return out -> out.stream().anyMatch(w -> w.kind() == WindowKind.END && w.videoId().equals(videoId));
    }

    static List<AvWindow> of(String videoId, List<AvWindow> windows) {
        return windows.stream().filter(w -> w.videoId().equals(videoId)).toList();
    }

    @Test
    void theBoundedDecodeIsComplete() {
        // the reference everything else is compared with: all windows of 24 s, then one END without a reason
        assertThat(wholeDecode).filteredOn(w -> w.kind() == WindowKind.WINDOW).hasSizeGreaterThan(50);
        assertThat(wholeDecode).filteredOn(w -> w.kind() == WindowKind.END).singleElement()
                .satisfies(end -> assertThat(end.reason()).isNull());
        assertThat(wholeDecode.get(wholeDecode.size() - 1).kind()).isEqualTo(WindowKind.END);
    }

    @Test
    void aReferencedFileDecodesOneSegmentPerStepAndOtherVideosGetThrough() throws Exception {
        try (var h = harness(config())) {
            h.processElement(reference("long", longClip), 0);
            // one second of 24 decoded: not even a window yet
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

            // an inline chunk of another video is decoded now, not after the long file
            byte[] bytes = Files.readAllBytes(shortClip);
            h.processElement(new MediaChunk("short", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, bytes, null, 0),
                    0);
            assertThat(ended("short").test(h.extractOutputValues())).isTrue();
            assertThat(ended("long").test(h.extractOutputValues())).isFalse();

            int steps = stepUntil(h, ended("long"));
            // 24 one-second segments and the rest at the end of the file (the last audio): the first came with the
            // chunk, every other one a step
            assertThat(steps).isEqualTo(600 / ChunkDecoder.STEP_FRAMES);
            assertThat(of("long", h.extractOutputValues())).containsExactlyElementsOf(wholeDecode);
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aJobRestoredWithAnotherWindowGeometryClosesItsLiveVideosWithAnErrorInsteadOfCuttingThem() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(config())) {
            h.processElement(reference("long", longClip), 0);
            stepUntil(h, out -> !out.isEmpty());
            h.setProcessingTime(h.getProcessingTime() + 1);
            snapshot = h.snapshot(1L, h.getProcessingTime());
        }
        // the same model with windows every 5 frames instead of 10: what the buffer holds was kept for stride 10
        com.fasterxml.jackson.databind.node.ObjectNode tree =
                io.lipsyncguard.models.ManifestJson.readTree(ModelPaths.defaultManifest());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("preprocessing")).put("strideFrames", 5);
        Path manifest = tmp.resolve("stride5.json");
        io.lipsyncguard.models.ManifestJson.writeTree(manifest, tree);
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ChunkDecoder(JobConfig.defaults(manifest).withDevice(Device.CPU))),
                MediaChunk::videoId, Types.STRING)) {
            restored.initializeState(snapshot);
            restored.open();
            stepUntil(restored, ended("long"));
            List<AvWindow> out = restored.extractOutputValues();
            assertThat(out).noneMatch(w -> w.kind() == WindowKind.WINDOW);
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("another model's window geometry",
                            "strideFrames=10", "strideFrames=5"));
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.END).singleElement()
                    .satisfies(end -> assertThat(end.reason()).isEqualTo("model-changed"));
            // a later chunk of it is one after its end, not the start of a video cut from a stale buffer
            int before = out.size();
            restored.processElement(new MediaChunk("long", 1, true, "video/mp4", MediaChunk.UNKNOWN_START,
                    Files.readAllBytes(shortClip), null, 0), restored.getProcessingTime());
            assertThat(restored.extractOutputValues()).hasSize(before);
            assertThat(restored.numProcessingTimeTimers()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference", "inline"})
    void aJobRestoredMidFileGivesTheWindowsOfOneUninterruptedDecode(String how) throws Exception {
        OperatorSubtaskState snapshot;
        List<AvWindow> beforeSnapshot;
        int segmentsBefore;
        try (var h = harness(config())) {
            boolean byReference = how.equals("reference");
            h.processElement(byReference ? reference("long", longClip) : inline("long", longClip), 0);
            // on to the first segment that completes a window (inline: the first ten come at once), and one more
            segmentsBefore = byReference ? 2 + stepUntil(h, out -> !out.isEmpty())
                    : ChunkDecoder.INLINE_FIRST_SEGMENTS + 1;
            h.setProcessingTime(h.getProcessingTime() + 1);
            beforeSnapshot = List.copyOf(h.extractOutputValues());
            snapshot = h.snapshot(1L, h.getProcessingTime());
            // the run that carries on without a failure
            stepUntil(h, ended("long"));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(wholeDecode);
        }
        assertThat(beforeSnapshot.size()).isPositive().isLessThan(wholeDecode.size() / 2);

        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ChunkDecoder(config())), MediaChunk::videoId, Types.STRING)) {
            restored.initializeState(snapshot);
            restored.open();
            // the segments cut before the snapshot are decoded again and skipped, a step each, sending nothing
            for (int i = 0; i < segmentsBefore; i++) {
                restored.setProcessingTime(restored.getProcessingTime() + 1);
                assertThat(restored.extractOutputValues()).as("after replayed segment %d", i).isEmpty();
            }
            stepUntil(restored, ended("long"));
            List<AvWindow> all = new ArrayList<>(beforeSnapshot);
            all.addAll(restored.extractOutputValues());
            // no window twice, none missing, bit for bit (crops and audio), and one END
            assertThat(all).containsExactlyElementsOf(wholeDecode);
        }
    }

    @Test
    void aJobRestoredWithAnotherSegmentLengthSkipsWhatWasCutNotMoreOrLess() throws Exception {
        OperatorSubtaskState snapshot;
        List<AvWindow> beforeSnapshot;
        try (var h = harness(config())) { // 1 s segments, a step each
            h.processElement(reference("long", longClip), 0);
            stepUntil(h, out -> !out.isEmpty());
            h.setProcessingTime(h.getProcessingTime() + 1);
            h.setProcessingTime(h.getProcessingTime() + 1);
            beforeSnapshot = List.copyOf(h.extractOutputValues());
            snapshot = h.snapshot(1L, h.getProcessingTime());
        }
        // restored into a decoder that would cut 10 s segments (another configuration, or a later version)
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ChunkDecoder(config().withInterleavedDecodes(false))),
                MediaChunk::videoId, Types.STRING)) {
            restored.initializeState(snapshot);
            restored.open();
            stepUntil(restored, ended("long"));
            List<AvWindow> all = new ArrayList<>(beforeSnapshot);
            all.addAll(restored.extractOutputValues());
            assertThat(all).containsExactlyElementsOf(wholeDecode);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"while decoding", "before the restore"})
    void aReferencedFileRewrittenDuringItsDecodeEndsItWithAnErrorNotWithWindowsOfTwoFiles(String when)
            throws Exception {
        Path file = Files.copy(longClip, tmp.resolve("rewritten-" + when.replace(' ', '-') + ".mp4"));
        OperatorSubtaskState snapshot;
        List<AvWindow> before;
        List<AvWindow> after;
        try (var h = harness(config())) {
            h.processElement(reference("r", file), 0);
            stepUntil(h, out -> !out.isEmpty());
            before = List.copyOf(h.extractOutputValues());
            snapshot = h.snapshot(1L, h.getProcessingTime());
            // the same path, other content: an upload replaced in place
            Files.copy(otherClip, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (when.equals("while decoding")) {
                stepUntil(h, ended("r"));
                after = h.extractOutputValues().subList(before.size(), h.extractOutputValues().size());
            } else {
                after = null;
            }
        }
        if (after == null) {
            try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new ChunkDecoder(config())), MediaChunk::videoId, Types.STRING)) {
                restored.initializeState(snapshot);
                restored.open();
                stepUntil(restored, ended("r"));
                after = List.copyOf(restored.extractOutputValues());
            }
        }
        assertThat(before).isNotEmpty().allMatch(w -> w.kind() == WindowKind.WINDOW);
        // not one window from the new content; the decode stops with an error that says why, and the video ends
        assertThat(after).filteredOn(w -> w.kind() == WindowKind.WINDOW).isEmpty();
        assertThat(after).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("the referenced file changed after its decode began",
                        Files.size(longClip) + " bytes", Files.size(otherClip) + " bytes"));
        assertThat(end(after).index()).isEqualTo(before.size());
    }

    @Test
    void aLinkMadeAfterTheReferenceWasAdmittedCannotLeadOutsideThePrefix() throws Exception {
        Path allowed = Files.createDirectories(tmp.resolve("tenant-a"));
        Path secret = Files.copy(longClip, Files.createDirectories(tmp.resolve("tenant-b")).resolve("private.mp4"));
        ReferencePolicy policy = new ReferencePolicy(List.of(allowed.toUri().toString()));
        Path later = allowed.resolve("later.mp4");
        // admitted while no file is there yet, as the deserializer does
        String uri = later.toUri().toString();
        assertThat(policy.check(uri).allowed()).isTrue();
        Files.createSymbolicLink(later, secret);
        Path inside = Files.copy(longClip, allowed.resolve("inside.mp4"));
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new ChunkDecoder(config(), policy)), MediaChunk::videoId, Types.STRING)) {
            h.open();
            h.processElement(MediaChunk.wholeFile("linked", uri), 0);
            h.processElement(reference("inside", inside), 0);
            stepUntil(h, out -> ended("linked").test(out) && ended("inside").test(out));
            List<AvWindow> linked = of("linked", h.extractOutputValues());
            assertThat(linked).filteredOn(w -> w.kind() == WindowKind.WINDOW).isEmpty();
            assertThat(linked).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("symbolic link", "private.mp4",
                            "outside the allowed prefixes"));
            assertThat(of("inside", h.extractOutputValues())).filteredOn(w -> w.kind() == WindowKind.WINDOW)
                    .isNotEmpty();
        }
        // a trusted source (analyze's files) follows links
        try (var h = harness(config())) {
            h.processElement(MediaChunk.wholeFile("linked", uri), 0);
            stepUntil(h, ended("linked"));
            assertThat(h.extractOutputValues()).filteredOn(w -> w.kind() == WindowKind.WINDOW).isNotEmpty();
        }
    }

    @Test
    void aReferencedFileRemovedDuringItsDecodeSaysSo() throws Exception {
        Path file = Files.copy(longClip, tmp.resolve("removed.mp4"));
        try (var h = harness(config())) {
            h.processElement(reference("gone", file), 0);
            stepUntil(h, out -> !out.isEmpty());
            int before = h.extractOutputValues().size();
            Files.delete(file);
            stepUntil(h, ended("gone"));
            List<AvWindow> after = h.extractOutputValues().subList(before, h.extractOutputValues().size());
            assertThat(after).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("removed while it was being decoded"));
            assertThat(end(after).index()).isEqualTo(before);
        }
    }

    @Test
    void aReasonQuotingAPathOfAnyLengthIsCutOnTheEventAndTheErrorRecordAlike() throws Exception {
        // a path no file system holds (far over PATH_MAX), sent by reference: its error quotes it
        Path absurd = Path.of("/nonexistent/" + "a/".repeat(6000) + "clip.mp4");
        try (var h = harness(config())) {
            h.processElement(reference("absurd", absurd), 0);
            stepUntil(h, ended("absurd"));
            AvWindow error = h.extractOutputValues().stream().filter(w -> w.kind() == WindowKind.ERROR).findFirst()
                    .orElseThrow();
            assertThat(error.reason()).startsWith("chunk 0").contains("/nonexistent/a/a/")
                    .endsWith("characters in all)")
                    .hasSizeLessThanOrEqualTo(io.lipsyncguard.connectors.kafka.ErrorRecord.MAX_REASON_CHARS);
            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().reason()).isEqualTo(error.reason()));
            assertThat(end(h.extractOutputValues()).errors()).isEqualTo(1);
        }
    }

    @Test
    void timeTheJobWasDownIsNoIdleness() throws Exception {
        JobConfig idle = config().withIdleTimeout(Duration.ofSeconds(60));
        byte[] bytes = Files.readAllBytes(shortClip);
        OperatorSubtaskState snapshot;
        try (var h = harness(idle)) {
            h.processElement(new MediaChunk("live", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            snapshot = h.snapshot(1L, h.getProcessingTime());
        }
        // restored ten minutes later: the idle timer is long overdue and fires at once
        try (var restored = restoredTenMinutesLater(idle, snapshot)) {
            assertThat(ended("live").test(restored.extractOutputValues())).as("closed by the outage").isFalse();
            // the stream goes on where it was: its last chunk ends it, with no reason
            restored.processElement(new MediaChunk("live", 1, true, "video/mp4", 4_000_000, bytes, null, 0), 600_002);
            assertThat(end(restored.extractOutputValues()).reason()).isNull();
        }
        // and a stream that does not come back is still closed, a timeout after the restore
        try (var restored = restoredTenMinutesLater(idle, snapshot)) {
            assertThat(ended("live").test(restored.extractOutputValues())).isFalse();
            restored.setProcessingTime(661_000);
            assertThat(end(restored.extractOutputValues()).reason()).isEqualTo("idle");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aJobRestoredWithoutIdleTimeoutClosesNothingAndDoesNotSpin() throws Exception {
        JobConfig idle = config().withIdleTimeout(Duration.ofSeconds(60));
        JobConfig never = config().withIdleTimeout(Duration.ZERO);
        byte[] bytes = Files.readAllBytes(shortClip);
        OperatorSubtaskState snapshot;
        try (var h = harness(idle)) {
            h.processElement(new MediaChunk("live", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            h.processElement(reference("file", longClip), 0); // a file decoding when the snapshot is taken
            h.setProcessingTime(1);
            snapshot = h.snapshot(1L, h.getProcessingTime());
        }
        try (var restored = restoredTenMinutesLater(never, snapshot)) {
            restored.setProcessingTime(700_000);
            // the file decodes to its end, and the live stream, idle for 700 s, stays open: the timeout is "never"
            stepUntil(restored, ended("file"));
            restored.setProcessingTime(restored.getProcessingTime() + 3_600_000);
            assertThat(ended("live").test(restored.extractOutputValues())).isFalse();
            assertThat(end(of("file", restored.extractOutputValues())).reason()).isNull();
            restored.processElement(new MediaChunk("live", 1, true, "video/mp4", 4_000_000, bytes, null, 0),
                    restored.getProcessingTime());
            assertThat(end(of("live", restored.extractOutputValues())).reason()).isNull();
        }
    }

    @Test
    void aJobRestoredWithAnIdleTimeoutAfterRunningWithoutOneClosesTheStreamsThatStopped() throws Exception {
        JobConfig never = config().withIdleTimeout(Duration.ZERO);
        JobConfig idle = config().withIdleTimeout(Duration.ofSeconds(60));
        byte[] bytes = Files.readAllBytes(shortClip);
        OperatorSubtaskState snapshot;
        try (var h = operatorHarness(never, 0)) {
            // a stream whose producer went away, and one that ended
            h.processElement(new MediaChunk("gone", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            h.processElement(new MediaChunk("done", 0, true, "video/mp4", 0, bytes, null, 0), 0);
            h.setProcessingTime(1_000_000);
            assertThat(ended("gone").test(h.extractOutputValues())).as("never means never").isFalse();
            snapshot = h.snapshot(1L, h.getProcessingTime());
        }
        try (var restored = operatorHarness(idle, 2_000_000, snapshot)) {
            assertThat(((ChunkDecoderOperator) restored.getOperator()).videosArmed).isEqualTo(1);
            restored.setProcessingTime(2_000_000 + 59_999);
            assertThat(ended("gone").test(restored.extractOutputValues())).isFalse();
            restored.setProcessingTime(2_000_000 + 60_000);
            assertThat(end(of("gone", restored.extractOutputValues())).reason()).isEqualTo("idle");
            assertThat(ended("done").test(restored.extractOutputValues())).as("its END went out before").isFalse();
            snapshot = restored.snapshot(2L, restored.getProcessingTime());
        }
        // restored again with a timeout: every live video has its timer, nothing is walked
        try (var again = operatorHarness(idle, 3_000_000, snapshot)) {
            assertThat(((ChunkDecoderOperator) again.getOperator()).videosArmed).isEqualTo(-1);
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> operatorHarness(JobConfig config,
            long nowMs) throws Exception {
        return operatorHarness(config, nowMs, null);
    }

    /** The decoder in the operator the job runs it in, opened at {@code nowMs} (from {@code snapshot} if not null). */
    static KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> operatorHarness(JobConfig config,
            long nowMs, OperatorSubtaskState snapshot) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new ChunkDecoderOperator(config, null),
                MediaChunk::videoId, Types.STRING);
        h.setProcessingTime(nowMs);
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        return h;
    }

    /** A decoder restored from {@code snapshot} at 600 s, its overdue timers fired. */
    private static KeyedOneInputStreamOperatorTestHarness<String, MediaChunk, AvWindow> restoredTenMinutesLater(
            JobConfig config, OperatorSubtaskState snapshot) throws Exception {
        var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ChunkDecoder(config)), MediaChunk::videoId, Types.STRING);
        restored.setProcessingTime(600_000);
        restored.initializeState(snapshot);
        restored.open();
        restored.setProcessingTime(600_001);
        return restored;
    }

    @Test
    void aLongInlineChunkDecodesItsFirstTenSecondsAtOnceAndTheRestInSteps() throws Exception {
        try (var h = harness(config())) {
            h.processElement(inline("inline", longClip), 0);
            assertThat(h.extractOutputValues()).isNotEmpty();
            assertThat(ended("inline").test(h.extractOutputValues())).isFalse();
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            // the video's buffer and, in a state of its own (not rewritten with every step's buffer), the chunk
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            int steps = stepUntil(h, ended("inline"));
            assertThat(steps).isEqualTo(600 / ChunkDecoder.STEP_FRAMES - ChunkDecoder.INLINE_FIRST_SEGMENTS + 1);
            List<AvWindow> expected = wholeDecode.stream().map(w -> rename(w, "inline")).toList();
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected);
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aShortInlineChunkIsDecodedWhenItArrives() throws Exception {
        try (var h = harness(config())) {
            h.processElement(inline("short", shortClip), 0);
            assertThat(ended("short").test(h.extractOutputValues())).isTrue();
            assertThat(h.numProcessingTimeTimers()).isZero();
            // only the ended video's tombstone: a chunk decoded at once is never written to the decoding state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    static MediaChunk inline(String videoId, Path file) throws Exception {
        return new MediaChunk(videoId, 0, true, "video/mp4", MediaChunk.UNKNOWN_START, Files.readAllBytes(file), null,
                0);
    }

    @Test
    void chunksBehindAFileWaitInSequenceAndARedeliveredFileIsDropped() throws Exception {
        try (var h = harness(config())) {
            h.processElement(new MediaChunk("mixed", 0, false, null, MediaChunk.UNKNOWN_START, null,
                    longClip.toUri().toString(), 0), 0);
            h.processElement(new MediaChunk("mixed", 0, false, null, MediaChunk.UNKNOWN_START, null,
                    longClip.toUri().toString(), 0), 0); // redelivered while it decodes
            // the next chunk arrives while the file decodes: it waits, then continues the video after the file
            MediaChunk next = new MediaChunk("mixed", 1, true, "video/mp4", MediaChunk.UNKNOWN_START,
                    Files.readAllBytes(shortClip), null, 0);
            h.processElement(next, 0);
            h.processElement(next, 0); // redelivered while it waits
            assertThat(ended("mixed").test(h.extractOutputValues())).isFalse();
            // both copies are told on the error topic, not as ERROR events: they change no verdict
            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).extracting(r -> r.getValue().sequence() + " "
                    + r.getValue().stage() + " " + r.getValue().reason()).containsExactly(
                    "0 sequence chunk 0 came after the video had gone past it (a copy of a chunk already used, or "
                            + "one reported missing or refused); ignored",
                    "1 sequence chunk 1 was already received and waits to be decoded; this copy is ignored");
            stepUntil(h, ended("mixed"));
            List<AvWindow> out = h.extractOutputValues();
            List<AvWindow> windows = out.stream().filter(w -> w.kind() == WindowKind.WINDOW).toList();
            // the file's windows first, exactly once, then the chunk's, placed after it (its own timestamps start at
            // zero again, which the decoder reports and re-bases)
            assertThat(windows.subList(0, 50)).containsExactlyElementsOf(
                    wholeDecode.stream().filter(w -> w.kind() == WindowKind.WINDOW).limit(50)
                            .map(w -> rename(w, "mixed")).toList());
            assertThat(windows).extracting(AvWindow::index).doesNotHaveDuplicates();
            assertThat(windows.size()).isBetween(spec.windowsIn(700), spec.windowsIn(702));
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                    .satisfies(e -> assertThat(e.reason()).startsWith("chunk 1 starts at 0.0 s"));
            assertThat(end(out).endMs()).isBetween(28_000L, 28_080L);
            assertThat(end(out).errors()).isEqualTo(1); // the duplicates went to the error topic only
        }
    }

    @Test
    void chunksBeyondTheBacklogBoundBehindAFileAreRefusedWithAnErrorAndTheVideoGoesOn() throws Exception {
        byte[] clip = Files.readAllBytes(shortClip);
        long each = clip.length + ChunkDecoder.PENDING_ENTRY_BYTES; // payload and state entry
        JobConfig small = config().withMaxInlineBytes(4L * each);
        int fit = (int) (small.maxBacklogBytes() / each); // 4 chunks fit behind the file
        try (var h = harness(small)) {
            h.processElement(new MediaChunk("flood", 0, false, null, MediaChunk.UNKNOWN_START, null,
                    longClip.toUri().toString(), 0), 0);
            for (int seq = 1; seq <= fit + 2; seq++) {
                h.processElement(new MediaChunk("flood", seq, seq == fit + 2, "video/mp4", MediaChunk.UNKNOWN_START,
                        clip, null, 0), 0);
            }
            List<AvWindow> refused = h.extractOutputValues().stream().filter(w -> w.kind() == WindowKind.ERROR)
                    .toList();
            // the last two did not fit: each refused at once with the reason, the file still decoding
            assertThat(refused).extracting(AvWindow::index).containsExactly((long) fit + 1, (long) fit + 2);
            assertThat(refused.get(0).reason()).contains("waiting behind").contains("refused");
            stepUntil(h, ended("flood"));
            List<AvWindow> out = h.extractOutputValues();
            // no gap is reported for the refused chunks, and the video ends although its last chunk was refused
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR)
                    .noneMatch(e -> e.reason().contains("never arrived"));
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.END).hasSize(1);
            // the file's 24 s and the four 4 s chunks that fitted, one after the other
            assertThat(end(out).endMs()).isBetween(40_000L, 40_400L);
        }
    }

    @Test
    void referencesCountAgainstTheBacklogBoundTooSoTheyCannotPileUpBehindAFile() throws Exception {
        JobConfig small = config().withMaxInlineBytes(8L * ChunkDecoder.PENDING_ENTRY_BYTES);
        try (var h = harness(small)) {
            h.processElement(reference("refs", longClip), 0);
            // a producer that floods the video with references (no payload) while its file decodes
            for (int seq = 1; seq <= 100; seq++) {
                h.processElement(new MediaChunk("refs", seq, false, null, MediaChunk.UNKNOWN_START, null,
                        shortClip.toUri().toString(), 0), 0);
            }
            long refused = h.extractOutputValues().stream().filter(w -> w.kind() == WindowKind.ERROR
                    && w.reason().contains("refused")).count();
            int fit = (int) (small.maxBacklogBytes() / ChunkDecoder.backlogBytes(new MediaChunk("refs", 1, false, null,
                    MediaChunk.UNKNOWN_START, null, shortClip.toUri().toString(), 0)));
            assertThat(fit).isBetween(1, 7);
            assertThat(refused).isEqualTo(100 - fit);
        }
    }

    @Test
    void anOversizedChunkAheadOfItsTurnIsRefusedAtOnceAndTheChunkBeforeItStillDecodes() throws Exception {
        byte[] clip = Files.readAllBytes(shortClip);
        JobConfig small = config().withMaxInlineBytes(clip.length + 16L);
        try (var h = harness(small)) {
            h.processElement(new MediaChunk("big", 0, false, "video/mp4", MediaChunk.UNKNOWN_START, clip, null, 0), 0);
            // chunk 2 (the last) is over the limit and comes before chunk 1: waiting, it alone passed the backlog
            // bound, the sequence gave chunk 1 up as never arrived and then ignored it as one it had gone past
            h.processElement(new MediaChunk("big", 2, true, "video/mp4", MediaChunk.UNKNOWN_START,
                    new byte[clip.length + 17], null, 0), 0);
            h.processElement(new MediaChunk("big", 1, false, "video/mp4", MediaChunk.UNKNOWN_START, clip, null, 0), 0);
            stepUntil(h, ended("big"));
            List<AvWindow> out = h.extractOutputValues();
            // the size refusal, and chunk 1's re-basing (the same clip again: its timestamps start at zero again)
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).extracting(AvWindow::reason)
                    .containsExactly("chunk 2 has " + (clip.length + 17) + " bytes, over the limit of "
                            + (clip.length + 16), "chunk 1 starts at 0.0 s of the video by its timestamps, but the "
                            + "video had got to 4.0 s: its timestamps jumped; placed at 4.0 s instead");
            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).extracting(r -> r.getValue().stage())
                    .containsExactly("size", "timestamps");
            // both 4 s chunks, one after the other
            assertThat(end(out).endMs()).isBetween(8_000L, 8_200L);
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aGapIsDeclaredOnceTooManyBytesWaitBehindIt() throws Exception {
        byte[] clip = Files.readAllBytes(shortClip);
        // two chunks' worth may wait (payload and state entry)
        JobConfig small = config().withMaxInlineBytes(2L * (clip.length + ChunkDecoder.PENDING_ENTRY_BYTES));
        try (var h = harness(small)) {
            // chunk 0 never comes; 1 and 2 wait for it, 3 is one chunk too many (by bytes, far under 16 by count)
            for (int seq = 1; seq <= 3; seq++) {
                h.processElement(new MediaChunk("gap", seq, false, "video/mp4", MediaChunk.UNKNOWN_START, clip, null,
                        0), 0);
                boolean declared = h.extractOutputValues().stream().anyMatch(w -> w.kind() == WindowKind.ERROR
                        && w.reason().contains("chunks 0..0 never arrived"));
                assertThat(declared).as("gap declared after chunk %d", seq).isEqualTo(seq == 3);
            }
            assertThat(h.extractOutputValues()).anyMatch(w -> w.kind() == WindowKind.WINDOW);
        }
    }

    @Test
    void aSecondFileWaitsForTheFirstAndIsThenDecodedWhole() throws Exception {
        try (var h = harness(config())) {
            h.processElement(reference("long", longClip), 0);
            h.processElement(reference("second", longClip), 0);
            // one file at a time per subtask: the second has not started while the first decodes
            assertThat(of("second", h.extractOutputValues())).isEmpty();
            h.setProcessingTime(1);
            assertThat(of("second", h.extractOutputValues())).isEmpty();
            stepUntil(h, ended("long"));
            stepUntil(h, ended("second"));
            List<AvWindow> expected = wholeDecode.stream().map(w -> rename(w, "second")).toList();
            assertThat(of("second", h.extractOutputValues())).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aFileWaitingLongerThanTheStateTtlKeepsItsChunk() throws Exception {
        // the state TTL (7 days by default) is shorter here than the first file's decode, as a long queue would make it
        // (longer than the 100 ms between a waiting file's asks, which keep its video's buffer alive)
        try (var h = harness(config().withStateTimeToLive(Duration.ofMillis(150)))) {
            h.setStateTtlProcessingTime(0);
            h.processElement(reference("long", longClip), 0);
            h.processElement(reference("second", shortClip), 0);
            while (!ended("second").test(h.extractOutputValues())) {
                assertThat(h.getProcessingTime()).as("time before the second file is decoded").isLessThan(5000);
                long next = h.getProcessingTime() + 10; // the first file takes 250 ms: 25 steps
                h.setStateTtlProcessingTime(next);
                h.setProcessingTime(next);
            }
            assertThat(of("long", h.extractOutputValues())).containsExactlyElementsOf(wholeDecode);
            List<AvWindow> alone;
            try (var fresh = harness(config().withInterleavedDecodes(false))) {
                fresh.processElement(reference("second", shortClip), 0);
                alone = List.copyOf(fresh.extractOutputValues());
            }
            assertThat(alone).filteredOn(w -> w.kind() == WindowKind.WINDOW).hasSize(3);
            assertThat(of("second", h.extractOutputValues())).containsExactlyElementsOf(alone);
            assertThat(indexOfFirst(h.extractOutputValues(), "second")).as("it waited")
                    .isGreaterThan(h.extractOutputValues().indexOf(end(of("long", h.extractOutputValues()))));
        }
    }

    @Test
    void soundThatBeginsAfterTheFirstMinuteIsReportedAndTheVideoEndsWithoutAudio() throws Exception {
        Path silent = tmp.resolve("late-sound-picture.mp4");
        TalkingHeadGenerator.write(silent, SampleSpec.noAudio(64, 5));
        Path picture = tmp.resolve("late-sound-picture-75s.mkv");
        FfmpegTool.loop(silent, picture, 15);
        Path sound = tmp.resolve("late-sound.wav");
        io.lipsyncguard.job.sample.WavFile.write(sound, TalkingHeadGenerator.speechAudio(65, 8, 16_000), 16_000);
        Path late = tmp.resolve("sound from 65 s.mkv");
        Process p = new ProcessBuilder(FfmpegTool.binary(), "-v", "error", "-y", "-i", picture.toString(),
                "-itsoffset", "65", "-i", sound.toString(), "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a",
                "aac", late.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
        try (var h = harness(config())) {
            h.processElement(reference("late", late), 0);
            stepUntil(h, ended("late"));
            List<AvWindow> out = of("late", h.extractOutputValues());
            assertThat(out).noneMatch(w -> w.kind() == WindowKind.WINDOW);
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("the audio began more than 60 s after the picture"));
            AvWindow end = end(out);
            assertThat(end.reason()).isEqualTo("no-audio");
            assertThat(end.hasAudio()).isFalse();
            assertThat(end.endMs()).isEqualTo(75_000);
        }
    }

    @Test
    void aBadRecordWithoutAReadableSequenceSaysSoAndAsTheLastChunkStillEndsTheVideo() throws Exception {
        byte[] bytes = Files.readAllBytes(shortClip);
        try (var h = harness(config())) {
            // the same 4 s twice, placed one after the other by the producer's clock
            h.processElement(new MediaChunk("v", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            h.processElement(ChunkContentTypes.invalid("v", ChunkContentTypes.UNKNOWN_SEQUENCE, false, 0,
                    "bad header lsg-seq: 'x'"), 0);
            h.processElement(new MediaChunk("v", 1, false, "video/mp4", 4_000_000, bytes, null, 0), 0);
            // the producer's final chunk, its sequence header garbled: the video ends after the chunks before it
            h.processElement(ChunkContentTypes.invalid("v", ChunkContentTypes.UNKNOWN_SEQUENCE, true, 0,
                    "bad header lsg-seq: ''"), 0);
            List<AvWindow> out = h.extractOutputValues();
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).extracting(AvWindow::reason)
                    .containsExactly("bad header lsg-seq: 'x'", "bad header lsg-seq: ''");
            AvWindow end = end(out);
            assertThat(end.reason()).isNull();
            assertThat(end.errors()).as("the END counts the ERROR events before it").isEqualTo(2);
            // both chunks' windows (8 s of video), no gap reported
            assertThat(end.index()).isEqualTo(spec.windowsIn(200));
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.WINDOW).hasSize(spec.windowsIn(200));
        }
        // a video whose only record is such a one still ends, by the idle timeout
        try (var h = harness(config().withIdleTimeout(Duration.ofMillis(50)))) {
            h.processElement(ChunkContentTypes.invalid("lone", ChunkContentTypes.UNKNOWN_SEQUENCE, false, 0,
                    "bad header lsg-seq: 'y'"), 0);
            h.setProcessingTime(100);
            // nothing decodable: the same ERROR verdict as with its last chunk, not a FINAL for "idle"
            assertThat(end(h.extractOutputValues()).reason()).isEqualTo("undecodable");
        }
    }

    @Test
    void aChunkAfterTheEndGoesToTheErrorTopicOnlyNotToTheVerdicts() throws Exception {
        byte[] bytes = Files.readAllBytes(shortClip);
        try (var h = harness(config())) {
            h.processElement(new MediaChunk("v", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, bytes, null, 0), 0);
            int before = h.extractOutputValues().size();
            assertThat(ended("v").test(h.extractOutputValues())).isTrue();
            h.processElement(new MediaChunk("v", 1, false, "video/mp4", MediaChunk.UNKNOWN_START, bytes, null, 0), 0);
            h.processElement(new MediaChunk("v", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, bytes, null, 0), 0);

            assertThat(h.extractOutputValues()).hasSize(before);
            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).extracting(r -> r.getValue().reason()).containsExactly(
                    "chunk 1 arrived after the video ended; ignored", "chunk 0 arrived after the video ended; ignored");
        }
    }

    @Test
    void withoutIdleTimeoutAVideoWhoseLastChunkCameWaitsForALostOneOnlyABoundedTime() throws Exception {
        byte[] bytes = Files.readAllBytes(shortClip);
        try (var h = harness(config().withIdleTimeout(Duration.ZERO))) {
            // a live stream that pauses is not closed: "never" means never
            h.processElement(new MediaChunk("live", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            // a finished one whose chunk 1 was lost: its last chunk waits behind the gap
            h.processElement(new MediaChunk("done", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            h.setProcessingTime(10);
            h.processElement(new MediaChunk("done", 2, true, "video/mp4", 8_000_000, bytes, null, 0), 10);
            h.setProcessingTime(10 + ChunkDecoder.COPY_STALL_LIMIT_MS - 1);
            assertThat(ended("done").test(h.extractOutputValues())).isFalse();
            h.setProcessingTime(10 + ChunkDecoder.COPY_STALL_LIMIT_MS);
            List<AvWindow> out = h.extractOutputValues();
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR && "done".equals(w.videoId()))
                    .extracting(AvWindow::reason).anyMatch(r -> r.contains("chunks 1..1 never arrived"));
            AvWindow end = out.stream().filter(w -> w.kind() == WindowKind.END && "done".equals(w.videoId()))
                    .findFirst().orElseThrow();
            assertThat(end.reason()).as("it ended by its own last chunk, after the gap").isNull();
            h.setProcessingTime(10 * ChunkDecoder.COPY_STALL_LIMIT_MS);
            assertThat(ended("live").test(h.extractOutputValues())).isFalse();
        }
    }

    @Test
    void aLastChunkRefusedOnArrivalBehindALostOneEndsTheVideoWithTheGapReported() throws Exception {
        byte[] bytes = Files.readAllBytes(shortClip);
        for (Duration idle : List.of(Duration.ZERO, Duration.ofSeconds(60))) {
            try (var h = harness(config().withIdleTimeout(idle).withMaxInlineBytes(bytes.length))) {
                h.processElement(new MediaChunk("v", 0, false, "video/mp4", 0, bytes, null, 0), 0);
                // chunk 1 is lost; the last chunk is too big and refused as it comes
                h.processElement(new MediaChunk("v", 2, true, "video/mp4", 8_000_000,
                        java.util.Arrays.copyOf(bytes, bytes.length + 1), null, 0), 0);
                assertThat(ended("v").test(h.extractOutputValues())).isFalse();
                h.setProcessingTime(ChunkDecoder.COPY_STALL_LIMIT_MS);
                List<AvWindow> out = h.extractOutputValues();
                assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).extracting(AvWindow::reason)
                        .as("idle timeout %s", idle).anyMatch(r -> r.contains("chunks 1..1 never arrived"));
                assertThat(end(out).reason()).as("it ended at its last chunk, not as one that never came").isNull();
            }
        }
    }

    @Test
    void aRefusedChunkSentLateOrTwiceKeepsItsOwnStageAndReasonOnTheErrorTopic() throws Exception {
        byte[] bytes = Files.readAllBytes(shortClip);
        String refused = "reference uri '/etc/passwd' is outside the allowed prefixes";
        try (var h = harness(config())) {
            h.processElement(new MediaChunk("v", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            // behind the sequence: chunk 0 was used
            h.processElement(ChunkContentTypes.invalid("v", 0, false, 0, refused), 0);
            h.processElement(new MediaChunk("v", 1, true, "video/mp4", 4_000_000, bytes, null, 0), 0);
            assertThat(ended("v").test(h.extractOutputValues())).isTrue();
            // after the end
            h.processElement(ChunkContentTypes.invalid("v", 2, false, 0, refused), 0);
            h.processElement(ChunkContentTypes.invalid("v", 3, false, 0, "bad header lsg-last: 'maybe'"), 0);

            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).extracting(r -> r.getValue().stage() + ": "
                    + r.getValue().reason()).containsExactly(
                    "reference: chunk 0 came after the video had gone past it (a copy of a chunk already used, or "
                            + "one reported missing or refused); ignored: " + refused,
                    "reference: chunk 2 arrived after the video ended; ignored: " + refused,
                    "deserialize: chunk 3 arrived after the video ended; ignored: bad header lsg-last: 'maybe'");
        }
    }

    @Test
    void aStreamThatStopsWithoutItsLastChunkAndWithoutAPictureEndsAsOneWithItDoes() throws Exception {
        Path wav = tmp.resolve("sound-only-idle.wav");
        io.lipsyncguard.job.sample.WavFile.write(wav, TalkingHeadGenerator.speechAudio(45, 3, 16_000), 16_000);
        byte[] sound = Files.readAllBytes(wav);
        String[] reasons = new String[2];
        for (boolean last : new boolean[] {true, false}) {
            try (var h = harness(config().withIdleTimeout(Duration.ofMillis(50)))) {
                h.processElement(new MediaChunk("mic", 0, last, null, 0, sound, null, 0), 0);
                h.setProcessingTime(100);
                reasons[last ? 0 : 1] = end(h.extractOutputValues()).reason();
            }
        }
        assertThat(reasons).containsExactly("no-video", "no-video");
    }

    @Test
    void soundGoingOnAfterTheCameraIsLostIsPlacedByItsTimestampsNotTakenForAJump() throws Exception {
        byte[] picture = Files.readAllBytes(shortClip);
        Path wav = tmp.resolve("sound-only-4s.wav");
        io.lipsyncguard.job.sample.WavFile.write(wav, TalkingHeadGenerator.speechAudio(44, 4, 16_000), 16_000);
        byte[] sound = Files.readAllBytes(wav);
        try (var h = harness(config())) {
            h.processElement(new MediaChunk("cam", 0, false, "video/mp4", 0, picture, null, 0), 0);
            // the camera is lost: 80 s of sound-only chunks, each starting a little late as AAC framing leaves them
            int n = 20;
            for (int i = 1; i <= n; i++) {
                h.processElement(new MediaChunk("cam", i, i == n, null, i * 4_000_000L + i * 15_000L, sound, null,
                        0), i);
            }
            List<AvWindow> out = h.extractOutputValues();
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).isEmpty();
            // the picture is filled in up to a minute behind the sound (the video's length is its picture's)
            AvWindow end = end(out);
            assertThat(end.endMs()).isBetween(84_000L - 60_000 - 500, 84_000L - 60_000 + 500);
            // and windows go on through it: those well past the picture have no face
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.WINDOW && w.startMs() > 10_000)
                    .hasSizeGreaterThan(20).allMatch(w -> w.faceFraction() == 0);
        }
    }

    @Test
    void lateChunksKeepTheTombstoneSoTheVideoNeverEndsTwice() throws Exception {
        byte[] bytes = Files.readAllBytes(shortClip);
        try (var h = harness(config().withStateTimeToLive(Duration.ofMillis(150)))) {
            h.setStateTtlProcessingTime(0);
            h.processElement(new MediaChunk("v", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, bytes, null, 0), 0);
            // late chunks, each within the TTL of the one before, until long past the first TTL
            for (long t = 100; t <= 1000; t += 100) {
                h.setStateTtlProcessingTime(t);
                h.processElement(new MediaChunk("v", 1 + t / 100, t == 1000, "video/mp4", MediaChunk.UNKNOWN_START,
                        bytes, null, 0), t);
            }
            assertThat(h.extractOutputValues()).filteredOn(w -> w.kind() == WindowKind.END).hasSize(1);
            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).hasSize(10)
                    .allSatisfy(r -> assertThat(r.getValue().reason()).contains("arrived after the video ended"));
        }
    }

    @Test
    void chunksStillWaitingWhenTheVideoEndsAreSaidNotDroppedSilently() throws Exception {
        byte[] bytes = Files.readAllBytes(shortClip);
        try (var h = harness(config())) {
            // chunk 3 comes early, then the producer's last chunk is 1: 3 can never be placed
            h.processElement(new MediaChunk("v", 3, false, "video/mp4", MediaChunk.UNKNOWN_START, bytes, null, 0), 0);
            h.processElement(new MediaChunk("v", 0, false, "video/mp4", 0, bytes, null, 0), 0);
            h.processElement(new MediaChunk("v", 1, true, "video/mp4", 4_000_000, bytes, null, 0), 0);
            assertThat(end(h.extractOutputValues()).reason()).isNull();
            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).extracting(r -> r.getValue().reason()).containsExactly(
                    "chunk 3 was still waiting when the video ended (after chunk 1); ignored");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(120) // a copy on the task thread would block it on the gate for ever
    void aRemoteFileIsCopiedBesideTheTaskThreadWhileOtherVideosGoOn() throws Exception {
        // an object store that answers only when the test says so: a copy made on the task thread would hold it
        SlowFileSystemFactory.gate = new java.util.concurrent.CountDownLatch(1);
        try (var h = harness(config())) {
            MediaChunk remote = MediaChunk.wholeFile("remote", "slowtest://" + shortClip.toAbsolutePath());
            h.processElement(remote, 0);
            // another video's inline chunk is decoded at once, and another file waits for the decoder
            h.processElement(new MediaChunk("inline", 0, true, "video/mp4", MediaChunk.UNKNOWN_START,
                    Files.readAllBytes(otherClip), null, 0), 0);
            h.processElement(reference("second", otherClip), 0);
            assertThat(ended("inline").test(h.extractOutputValues())).isTrue();
            assertThat(of("remote", h.extractOutputValues())).isEmpty();
            assertThat(of("second", h.extractOutputValues())).as("waits for the file decoder").isEmpty();
            SlowFileSystemFactory.gate.countDown();
            long deadline = System.currentTimeMillis() + 30_000;
            while (!ended("second").test(h.extractOutputValues())) {
                assertThat(System.currentTimeMillis()).as("the copy and both decodes finish").isLessThan(deadline);
                Thread.sleep(20);
                h.setProcessingTime(h.getProcessingTime() + 100);
            }
            List<AvWindow> alone;
            try (var fresh = harness(config().withInterleavedDecodes(false))) {
                fresh.processElement(reference("remote", shortClip), 0);
                alone = List.copyOf(fresh.extractOutputValues());
            }
            assertThat(of("remote", h.extractOutputValues())).containsExactlyElementsOf(alone);
            // one file at a time: the second waited until the remote one was decoded
            assertThat(indexOfFirst(h.extractOutputValues(), "second"))
                    .isGreaterThan(h.extractOutputValues().indexOf(end(of("remote", h.extractOutputValues()))));
        } finally {
            java.util.concurrent.CountDownLatch gate = SlowFileSystemFactory.gate;
            SlowFileSystemFactory.gate = null;
            gate.countDown();
        }
    }

    @Test
    void aRemoteCopyThatStallsIsGivenUpAfterTheIdleTimeoutAndTheNextFileGetsTheCopier() throws Exception {
        Path stalling = Files.copy(shortClip, tmp.resolve("stalling.mp4"));
        SlowFileSystemFactory.stallOn = "stalling"; // an object store that stopped answering for this file
        try (var h = harness(config().withIdleTimeout(Duration.ofSeconds(1)))) {
            h.processElement(MediaChunk.wholeFile("stalled", "slowtest://" + stalling.toAbsolutePath()), 0);
            h.processElement(MediaChunk.wholeFile("after", "slowtest://" + otherClip.toAbsolutePath()), 0);
            long deadline = System.currentTimeMillis() + 30_000;
            while (!ended("after").test(h.extractOutputValues())) {
                assertThat(System.currentTimeMillis()).as("the stalled copy is given up, the next one done")
                        .isLessThan(deadline);
                Thread.sleep(20);
                h.setProcessingTime(h.getProcessingTime() + 100);
            }
            assertThat(of("stalled", h.extractOutputValues())).filteredOn(w -> w.kind() == WindowKind.ERROR)
                    .singleElement().satisfies(e -> assertThat(e.reason()).startsWith("chunk 0 undecodable: its copy "
                            + "from slowtest://").contains("received no data for 1 s (the idle timeout is 1 s)"));
            assertThat(end(of("stalled", h.extractOutputValues())).index()).isZero();
            assertThat(of("after", h.extractOutputValues())).filteredOn(w -> w.kind() == WindowKind.WINDOW)
                    .isNotEmpty();
        } finally {
            SlowFileSystemFactory.stallOn = null;
        }
    }

    @Test
    void withoutAnIdleTimeoutAStalledCopyIsStillGivenUp() {
        // "never idle" is about videos that pause, not about a read that hangs: that would hold every file behind it
        assertThat(ChunkDecoder.copyStallLimitMs(Duration.ZERO)).isEqualTo(ChunkDecoder.COPY_STALL_LIMIT_MS)
                .isEqualTo(300_000L);
        assertThat(ChunkDecoder.copyStallLimitMs(Duration.ofSeconds(1))).isEqualTo(1_000L);
        assertThat(ChunkDecoder.copyStallLimitMs(Duration.ofHours(2))).isEqualTo(7_200_000L);
    }

    @Test
    void aRemoteFileThatCannotBeCopiedIsAnErrorAndTheDecoderIsFreeAgain() throws Exception {
        try (var h = harness(config())) {
            h.processElement(MediaChunk.wholeFile("gone", "slowtest://" + tmp.resolve("absent.mp4")), 0);
            h.processElement(reference("next", shortClip), 0);
            long deadline = System.currentTimeMillis() + 30_000;
            while (!ended("next").test(h.extractOutputValues())) {
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(10);
                h.setProcessingTime(h.getProcessingTime() + 100);
            }
            assertThat(of("gone", h.extractOutputValues())).filteredOn(w -> w.kind() == WindowKind.ERROR)
                    .singleElement().satisfies(e -> assertThat(e.reason()).contains("chunk 0 undecodable"));
            assertThat(ended("gone").test(h.extractOutputValues())).isTrue();
            assertThat(of("next", h.extractOutputValues())).anyMatch(w -> w.kind() == WindowKind.WINDOW);
        }
    }

    @Test
    void aReferencedFileIsCopiedOnlyWhereItLeavesTheDiskRoomForTheRest() {
        long gib = 1L << 30;
        assertThat(ChunkDecoder.tooLargeForTempSpace(5 * gib, 100 * gib)).isNull();
        // 100 GiB free: the copy leaves a tenth
        assertThat(ChunkDecoder.tooLargeForTempSpace(90 * gib, 100 * gib)).isNull();
        assertThat(ChunkDecoder.tooLargeForTempSpace(90 * gib + 1, 100 * gib)).contains("96636764161 bytes",
                "more than the 96636764160 bytes");
        // on a small disk, 2 GiB at least
        assertThat(ChunkDecoder.tooLargeForTempSpace(2 * gib, 5 * gib)).isNull();
        assertThat(ChunkDecoder.tooLargeForTempSpace(3 * gib + 1, 5 * gib)).isNotNull();
        assertThat(ChunkDecoder.tooLargeForTempSpace(1, gib)).contains("more than the 0 bytes");
    }

    @Test
    void waitingFilesGetTheDecoderInTheOrderTheyArrived() throws Exception {
        Path twoMinutes = tmp.resolve("two-minutes.mkv");
        FfmpegTool.loop(longClip, twoMinutes, 5); // 120 steps: it ends after both others have retried once
        try (var h = harness(config())) {
            h.processElement(reference("first", twoMinutes), 0);
            h.setProcessingTime(1);
            h.processElement(reference("second", shortClip), 1); // asks again at 101, 201, ...
            while (h.getProcessingTime() < 80) {
                h.setProcessingTime(h.getProcessingTime() + 1);
            }
            h.processElement(reference("third", otherClip), 80); // asks again at 180, 280, ...
            stepUntil(h, ended("first"));
            // the first ends at about 121: the third asks again (180) before the second does (201)
            assertThat(h.getProcessingTime()).isBetween(102L, 179L);
            stepUntil(h, ended("third"));
            List<AvWindow> out = h.extractOutputValues();
            int second = indexOfFirst(out, "second");
            int third = indexOfFirst(out, "third");
            assertThat(second).as("the second file starts before the third").isLessThan(third);
            assertThat(out.stream().filter(w -> w.kind() == WindowKind.END)).hasSize(3);
        }
    }

    @Test
    void theFileQueueServesTheLongestWaitingAndForgetsVideosThatStoppedAsking() {
        LinkedHashMap<String, Long> queue = new LinkedHashMap<>();
        assertThat(ChunkDecoder.nextInLine(queue, "a", 0, false)).isFalse();
        assertThat(ChunkDecoder.nextInLine(queue, "b", 10, false)).isFalse();
        assertThat(ChunkDecoder.nextInLine(queue, "a", 100, false)).isFalse(); // asking again keeps its place
        assertThat(queue.keySet()).containsExactly("a", "b");
        // the decoder is free: b asks first, but a has waited longer
        assertThat(ChunkDecoder.nextInLine(queue, "b", 150, true)).isFalse();
        assertThat(ChunkDecoder.nextInLine(queue, "a", 200, true)).isTrue();
        assertThat(queue.keySet()).containsExactly("b");
        // c waits behind b; b stops asking (its video ended meanwhile) and leaves the line after a while
        assertThat(ChunkDecoder.nextInLine(queue, "c", 210, false)).isFalse();
        assertThat(ChunkDecoder.nextInLine(queue, "c", 150 + ChunkDecoder.FILE_QUEUE_STALE_MS, true)).isFalse();
        assertThat(ChunkDecoder.nextInLine(queue, "c", 151 + ChunkDecoder.FILE_QUEUE_STALE_MS, true)).isTrue();
        assertThat(queue).isEmpty();
    }

    private static int indexOfFirst(List<AvWindow> out, String videoId) {
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).videoId().equals(videoId)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    @Test
    void theIdleTimeoutDoesNotEndAVideoWhoseFileIsStillDecoding() throws Exception {
        try (var h = harness(config().withIdleTimeout(Duration.ofMillis(5)))) {
            h.processElement(reference("long", longClip), 0);
            h.processElement(reference("waiting", shortClip), 0);
            // steps 10 ms apart: every idle timer is due, while one file decodes and the other waits for it
            while (!ended("waiting").test(h.extractOutputValues())) {
                assertThat(h.getProcessingTime()).isLessThan(100_000);
                h.setProcessingTime(h.getProcessingTime() + 10);
            }
            assertThat(h.extractOutputValues()).filteredOn(w -> w.kind() == WindowKind.END)
                    .hasSize(2).allSatisfy(end -> assertThat(end.reason()).isNull());
            assertThat(of("long", h.extractOutputValues())).containsExactlyElementsOf(wholeDecode);
        }
    }

    @Test
    void aMissingReferencedFileIsAnErrorAndTheVideoStillEnds() throws Exception {
        try (var h = harness(config())) {
            h.processElement(reference("gone", tmp.resolve("no-such-file.mp4")), 0);
            List<AvWindow> out = h.extractOutputValues();
            assertThat(out).extracting(AvWindow::kind).containsExactly(WindowKind.ERROR, WindowKind.END);
            assertThat(out.get(0).reason()).contains("undecodable").contains("no-such-file.mp4");
            assertThat(h.getSideOutput(ChunkDecoder.ERRORS)).hasSize(1);
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void anEncoderRestartThatSendsTimestampsBackContinuesTheVideo() throws Exception {
        // two 4 s recordings as one live video: the second starts its timestamps at zero again
        List<MediaChunk> restarted = liveVideo("ts", 0);
        List<AvWindow> out = decodeAll(restarted, "timestamps");
        assertOneJumpAt(out, 4);
        // placed as if it had gone on: what the same chunks give when placed by continuous media-start headers
        List<AvWindow> placed = decodeAll(restarted.stream().map(c -> new MediaChunk(c.videoId(), c.sequence(),
                c.last(), c.contentType(), c.sequence() * 1_000_000L, c.payload(), null, 0)).toList(), "timestamps");
        assertSameVideo(out, placed);
    }

    @Test
    void aMediaStartHeaderThatJumpsDaysAheadDoesNotStretchTheVideo() throws Exception {
        // fMP4 segments placed by their headers, the producer's clock jumping ten days at the sixth
        List<AvWindow> out = decodeAll(liveVideo("fmp4", Duration.ofDays(10).toNanos() / 1000), "timestamps");
        assertOneJumpAt(out, 5);
        assertSameVideo(out, decodeAll(liveVideo("fmp4", 0), "timestamps"));
    }

    @Test
    void aChunkAnHourPastAFirstChunkThatDidNotDecodeStartsTheVideo() throws Exception {
        // fMP4 segments placed by their headers; the first does not decode, the rest claim to come an hour after it
        List<MediaChunk> live = liveVideo("fmp4", 0);
        List<MediaChunk> chunks = new ArrayList<>();
        chunks.add(new MediaChunk("late", 0, false, live.get(0).contentType(), live.get(0).mediaStartUs(),
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, null, 0));
        for (MediaChunk c : live.subList(1, 8)) {
            chunks.add(new MediaChunk("late", c.sequence(), c.last(), c.contentType(),
                    c.mediaStartUs() + 3_600_000_000L, c.payload(), null, 0));
        }
        try (var h = harness(config())) {
            for (MediaChunk c : chunks) {
                h.processElement(c, 0);
            }
            stepUntil(h, ended("late"));
            List<AvWindow> out = h.extractOutputValues();
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).extracting(AvWindow::reason)
                    .anySatisfy(r -> assertThat(r).contains("undecodable"))
                    .anySatisfy(r -> assertThat(r).startsWith("chunk 1 is the first to decode")
                            .contains("place it at 360").endsWith("placed at 0.0 s instead"));
            // the seven seconds that decoded, from 0 s: not an hour of frames without a picture before them
            assertThat(end(out).endMs()).isBetween(6_900L, 7_200L);
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.WINDOW).isNotEmpty()
                    .allSatisfy(w -> assertThat(w.faceFraction()).isGreaterThan(0.5));
        }
    }

    @Test
    void aTimestampDiscontinuityInsideOneChunkIsAnErrorNotAnAttemptToFillADay() throws Exception {
        // a broadcast recording whose second half has timestamps a day later, inline and as a referenced file
        Path first = tmp.resolve("discont-a.ts");
        Path second = tmp.resolve("discont-b.ts");
        FfmpegTool.transportStream(shortClip, first, 0);
        FfmpegTool.transportStream(otherClip, second, 86_400);
        Path joined = tmp.resolve("discont.ts");
        Files.write(joined, Files.readAllBytes(first));
        Files.write(joined, Files.readAllBytes(second), java.nio.file.StandardOpenOption.APPEND);
        for (MediaChunk chunk : List.of(
                new MediaChunk("inline", 0, true, "video/mp2t", MediaChunk.UNKNOWN_START, Files.readAllBytes(joined),
                        null, 0),
                reference("file", joined))) {
            List<AvWindow> out = decodeAll(List.of(chunk), "decode");
            assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("timestamps").contains("jump by +8639")
                            .contains("discontinuity"));
            assertThat(end(out).videoId()).isEqualTo(chunk.videoId());
        }
    }

    /**
     * Eight 1 s chunks of two recordings as one video; fMP4 segments carry continuous media-start headers, moved on
     * by {@code jumpUs} from the sixth chunk.
     */
    private static List<MediaChunk> liveVideo(String format, long jumpUs) throws Exception {
        List<MediaChunk> chunks = new ArrayList<>();
        for (Path clip : List.of(shortClip, otherClip)) {
            boolean second = !chunks.isEmpty();
            for (MediaChunk c : MediaChunker.chunk(clip, "live", 1.0, format, Files.createTempDirectory(tmp, "c"))) {
                long start = c.mediaStartUs();
                if (second && start != MediaChunk.UNKNOWN_START) {
                    start += 4_000_000 + (c.sequence() >= 1 ? jumpUs : 0);
                }
                chunks.add(new MediaChunk("live", chunks.size(), second && c.last(), c.contentType(), start,
                        c.payload(), null, 0));
            }
        }
        assertThat(chunks).hasSize(8);
        return chunks;
    }

    /** The decoder's output for {@code chunks}; every dead letter it sends on the side must be of {@code stage}. */
    private static List<AvWindow> decodeAll(List<MediaChunk> chunks, String stage) throws Exception {
        try (var h = harness(config())) {
            for (MediaChunk c : chunks) {
                h.processElement(c, 0);
            }
            stepUntil(h, ended(chunks.get(chunks.size() - 1).videoId())); // a referenced file decodes in steps
            List<AvWindow> out = List.copyOf(h.extractOutputValues());
            var errors = h.getSideOutput(ChunkDecoder.ERRORS); // null when none was sent
            assertThat(errors == null ? List.of() : errors).allSatisfy(
                    e -> assertThat(((org.apache.flink.streaming.runtime.streamrecord.StreamRecord<?>) e).getValue())
                            .extracting("stage").isEqualTo(stage));
            return out;
        }
    }

    private static void assertOneJumpAt(List<AvWindow> out, int chunk) {
        assertThat(out).filteredOn(w -> w.kind() == WindowKind.ERROR).singleElement()
                .satisfies(e -> assertThat(e.reason()).startsWith("chunk " + chunk + " starts at")
                        .contains("timestamps jumped").contains("placed at " + chunk + "."));
    }

    /**
     * The length, windows and face evidence of the continuous video: without the re-basing half of it would be lost
     * or stretched over days. The jumped chunk goes where the video had got to, which may be a frame or two past where
     * it would have gone (a segment's grid can reach past its end; the next one normally overlaps it).
     */
    private static void assertSameVideo(List<AvWindow> actual, List<AvWindow> continuous) {
        assertThat(end(actual).endMs()).isBetween(end(continuous).endMs(), end(continuous).endMs() + 80);
        assertThat(end(actual).faceFraction()).isGreaterThan(0.9);
        List<AvWindow> windows = actual.stream().filter(w -> w.kind() == WindowKind.WINDOW).toList();
        assertThat(windows.size()).isBetween((int) end(continuous).index(), (int) end(continuous).index() + 1)
                .isGreaterThanOrEqualTo(spec.windowsIn(200));
        assertThat(windows).extracting(AvWindow::index).doesNotHaveDuplicates();
    }

    private static AvWindow end(List<AvWindow> out) {
        AvWindow end = out.get(out.size() - 1);
        assertThat(end.kind()).isEqualTo(WindowKind.END);
        return end;
    }

    private static AvWindow rename(AvWindow w, String videoId) {
        return new AvWindow(videoId, w.kind(), w.index(), w.startMs(), w.endMs(), w.crops(), w.audio(),
                w.faceFraction(), w.speechFraction(), w.multiFaceFraction(), w.dropoutFraction(), w.hasAudio(), w.reason(),
                w.producedAtMs(), w.errors());
    }
}
