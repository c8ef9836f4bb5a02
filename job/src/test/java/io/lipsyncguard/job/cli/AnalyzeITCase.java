package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.lipsyncguard.connectors.WireSchemas;
import io.lipsyncguard.job.AnalyzeJob;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.sample.WavFile;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Label;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.VerdictSerializer;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyze workflow end to end on a Flink MiniCluster (parallelism 2): real FFmpeg decoding of generated and real
 * clips, the real ONNX model, one verdict per file.
 */
class AnalyzeITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(LipsyncWorkflow.baseConfiguration())
                    .build());

    static final Path SHARED = Path.of(System.getProperty("lipsync.shared.data", "../../shared/data"));
    static final Path MANIFEST = ModelPaths.defaultManifest();

    @TempDir
    static Path tmp;

    static final Map<String, Verdict> VERDICTS = new HashMap<>();
    static WindowSpec spec;

    @BeforeAll
    static void analyzeEverythingInOneJob() throws Exception {
        spec = WindowSpec.fromManifest(ModelManifest.readValid(MANIFEST));
        List<Path> files = new ArrayList<>();
        files.add(generate("in_sync.mp4", SampleSpec.inSync(1, 8)));
        // a path with a space, a '%' and a non-ASCII letter, which a file URI has to escape and read back
        files.add(generate(ODD_NAME, SampleSpec.shifted(2, 8, 200)));
        files.add(generate("shifted_-320.mp4", SampleSpec.shifted(3, 8, -320)));
        for (int seed = 4; seed <= 8; seed++) {
            files.add(generate("swapped_" + seed + ".mp4", SampleSpec.swapped(seed, seed + 100, 8)));
        }
        files.add(generate("no_face.mp4", SampleSpec.noFace(5, 8)));
        // a still picture under the voice: the picture frozen from its first frame to its last
        FfmpegTool.freezePicture(tmp.resolve("in_sync.mp4"), tmp.resolve("still_picture.mp4"), 0, 10_000);
        files.add(tmp.resolve("still_picture.mp4"));
        files.add(generate("no_audio.mp4", SampleSpec.noAudio(6, 5)));
        Path corrupt = tmp.resolve("corrupt.mp4");
        byte[] junk = new byte[50_000];
        new Random(7).nextBytes(junk);
        Files.write(corrupt, junk);
        files.add(corrupt);
        // MPEG-4 Part 2 with its headers out of band, in MPEG-TS (which has nowhere to keep them): no frame decodes
        Path headerless = tmp.resolve("headerless_video.ts");
        Process ffmpeg = new ProcessBuilder(FfmpegTool.binary(), "-v", "error", "-y", "-i",
                tmp.resolve("in_sync.mp4").toString(), "-c:v", "mpeg4", "-flags", "+global_header", "-c:a", "aac",
                "-f", "mpegts", headerless.toString()).redirectErrorStream(true).start();
        assertThat(ffmpeg.waitFor()).as(new String(ffmpeg.getInputStream().readAllBytes())).isZero();
        files.add(headerless);
        Path speechOnly = tmp.resolve("speech_only.wav");
        WavFile.write(speechOnly, TalkingHeadGenerator.speechAudio(9, 6, 16_000), 16_000);
        files.add(speechOnly);
        if (Files.isDirectory(SHARED)) {
            for (String clip : REAL_CLIPS) {
                Path real = SHARED.resolve(clip);
                files.add(real);
                for (int ms : REAL_SHIFTS) {
                    Path shifted = tmp.resolve(shiftedName(clip, ms));
                    FfmpegTool.shiftAudio(real, shifted, ms);
                    files.add(shifted);
                }
                // this clip's picture with the next clip's sound
                String other = REAL_CLIPS.get((REAL_CLIPS.indexOf(clip) + 1) % REAL_CLIPS.size());
                Path swapped = tmp.resolve(swappedName(clip));
                FfmpegTool.swapAudio(real, SHARED.resolve(other), swapped);
                files.add(swapped);
            }
            // a real clip at 20 fps: held frames onto the 25 fps grid repeat every fifth slot, a beat without mouth
            // motion the sound does not have (it read as FAKE); the grid blends slower sources
            Process slow = new ProcessBuilder(FfmpegTool.binary(), "-v", "error", "-y", "-i",
                    SHARED.resolve("hdtf_katiehill.mp4").toString(), "-vf", "fps=20", "-c:v", "mpeg4", "-q:v", "3",
                    "-c:a", "copy", tmp.resolve("hdtf_katiehill.20fps.mp4").toString()).redirectErrorStream(true)
                    .start();
            assertThat(slow.waitFor()).as(new String(slow.getInputStream().readAllBytes())).isZero();
            files.add(tmp.resolve("hdtf_katiehill.20fps.mp4"));
            // the audio drops out to digital silence: 2 s of an 8 s clip, 1 s of the 12.7 s SyncNet demo clip
            FfmpegTool.muteAudio(SHARED.resolve("hdtf_aoc.mp4"), tmp.resolve("hdtf_aoc.dropout.mkv"), 3, 5);
            files.add(tmp.resolve("hdtf_aoc.dropout.mkv"));
            FfmpegTool.muteAudio(SHARED.resolve("syncnet_example.avi"), tmp.resolve("syncnet_example.dropout.mkv"), 6,
                    7);
            files.add(tmp.resolve("syncnet_example.dropout.mkv"));
            // the picture stalls for 4 s of 8 while the sound goes on, and for 1 s of the SyncNet demo clip's 12.7 s
            FfmpegTool.freezePicture(SHARED.resolve("hdtf_katiehill.mp4"), tmp.resolve("hdtf_katiehill.frozen.mp4"), 50,
                    150);
            files.add(tmp.resolve("hdtf_katiehill.frozen.mp4"));
            FfmpegTool.freezePicture(SHARED.resolve("syncnet_example.avi"), tmp.resolve("syncnet_example.frozen.mp4"),
                    150, 175);
            files.add(tmp.resolve("syncnet_example.frozen.mp4"));
            // quiet recordings: 24 dB down, speech peaking near -45 dBFS, where the model's speech gate sits
            for (String clip : List.of("hdtf_radio2.mp4", "syncnet_example.avi")) {
                Path quiet = tmp.resolve(clip.substring(0, clip.lastIndexOf('.')) + ".quiet.mkv");
                FfmpegTool.attenuateAudio(SHARED.resolve(clip), quiet, 24);
                files.add(quiet);
            }
            files.add(SHARED.resolve("noface_vggsound.mp4"));
            files.add(SHARED.resolve("face_no_audio.mp4"));
        }
        JobConfig config = JobConfig.defaults(MANIFEST).withDevice(Device.CPU);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        try (CloseableIterator<Verdict> it = AnalyzeJob.build(env, files, config).verdicts()
                .executeAndCollect("analyze-it")) {
            while (it.hasNext()) {
                Verdict v = it.next();
                String json = VerdictSerializer.toJson(v);
                assertThat(WireSchemas.verdictProblems(json)).as(json).isEmpty();
                Verdict previous = VERDICTS.put(Path.of(v.videoId()).getFileName().toString(), v);
                assertThat(previous).as("exactly one verdict per video").isNull();
            }
        }
        assertThat(VERDICTS).hasSize(files.size());
    }

    static final List<String> REAL_CLIPS = List.of("hdtf_aoc.mp4", "hdtf_katiehill.mp4", "hdtf_radio2.mp4",
            "retalking_face2.mp4", "retalking_face3.mp4", "syncnet_example.avi");

    static final int[] REAL_SHIFTS = {-400, -200, 200, 400};

    static String swappedName(String clip) {
        return clip.substring(0, clip.lastIndexOf('.')) + ".swapped.mkv";
    }

    static String shiftedName(String clip, int ms) {
        return clip.substring(0, clip.lastIndexOf('.')) + ".shifted" + ms + ".mkv";
    }

    static final String ODD_NAME = "shifted audio/200 ms, 100% späť.mp4";

    private static Path generate(String name, SampleSpec sample) throws Exception {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        TalkingHeadGenerator.write(p, sample);
        return p;
    }

    private static Verdict verdict(String name) {
        Verdict v = VERDICTS.get(name);
        assertThat(v).as("verdict for %s", name).isNotNull();
        return v;
    }

    @Test
    void syntheticInSyncIsRealWithZeroOffset() {
        Verdict v = verdict("in_sync.mp4");
        assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
        assertThat(v.verdict()).as("%s", v).isEqualTo(Label.REAL);
        assertThat(v.offsetMs()).isCloseTo(0.0, offset(40.0));
        assertThat(v.windows().total()).isEqualTo(spec.windowsIn(200));
        assertThat(v.windows().scored()).isGreaterThanOrEqualTo(spec.windowsIn(200) - 3);
        assertThat(v.model().id()).isEqualTo("sync-baseline");
    }

    @Test
    void syntheticShiftedAudioIsFakeWithTheShiftRecovered() {
        Verdict late = verdict(Path.of(ODD_NAME).getFileName().toString());
        assertThat(late.videoId()).isEqualTo(tmp.resolve(ODD_NAME).toAbsolutePath().toString());
        assertThat(late.verdict()).as("%s", late).isEqualTo(Label.FAKE);
        assertThat(late.offsetMs()).isCloseTo(200.0, offset(40.0));
        Verdict early = verdict("shifted_-320.mp4");
        assertThat(early.verdict()).as("%s", early).isEqualTo(Label.FAKE);
        assertThat(early.offsetMs()).isCloseTo(-320.0, offset(40.0));
        assertThat(late.windows().total()).isEqualTo(spec.windowsIn(200));
    }

    @Test
    void syntheticSwappedAudioIsMostlyFake() {
        // the energy/motion baseline cannot tell what is said: a foreign track whose rhythm happens to line up with
        // the lips passes (seed 4 does, measuring +40 ms and a video score of 0.02); the README states this limit
        int fake = 0;
        for (int seed = 4; seed <= 8; seed++) {
            Verdict v = verdict("swapped_" + seed + ".mp4");
            assertThat(v.windows().scored()).isEqualTo(spec.windowsIn(200));
            fake += v.verdict() == Label.FAKE ? 1 : 0;
        }
        assertThat(fake).isGreaterThanOrEqualTo(4);
    }

    @Test
    void noFaceIsUncertainAndSaysSo() {
        Verdict v = verdict("no_face.mp4");
        assertThat(v.verdict()).isEqualTo(Label.UNCERTAIN);
        assertThat(v.reasons()).contains("no-face");
        assertThat(v.windows().noFace()).isEqualTo(v.windows().total()).isEqualTo(spec.windowsIn(200));
        assertThat(v.score()).isNull();
    }

    @Test
    void noAudioIsUncertainAndSaysSo() {
        Verdict v = verdict("no_audio.mp4");
        assertThat(v.verdict()).isEqualTo(Label.UNCERTAIN);
        assertThat(v.reasons()).contains("no-audio");
        assertThat(v.windows().total()).isZero();
    }

    @Test
    void soundWithoutPictureIsAnErrorThatSaysWhy() {
        Verdict v = verdict("speech_only.wav");
        assertThat(v.kind()).isEqualTo(VerdictKind.ERROR);
        assertThat(v.reasons()).containsExactly("no-video");
        assertThat(v.error()).contains("no video");
    }

    @Test
    void aStillPictureUnderAVoiceIsUncertainNotAnOffset() {
        Verdict v = verdict("still_picture.mp4");
        assertThat(v.kind()).isEqualTo(VerdictKind.FINAL);
        assertThat(v.verdict()).as("%s", v).isEqualTo(Label.UNCERTAIN);
        assertThat(v.reasons()).contains("frozen-picture").doesNotContain("av-offset");
        assertThat(v.windows().frozenPicture()).isEqualTo(v.windows().total()).isEqualTo(spec.windowsIn(200));
        assertThat(v.explanation()).contains("where the picture stands still");
        // the clip it was made from, moving, is scored throughout
        assertThat(verdict("in_sync.mp4").windows().frozenPicture()).isZero();
    }

    @Test
    void aPictureThatStallsIsLeftOutWhereItStalls() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        // was FAKE by av-offset (-520 ms): the stall's start and end decided the lag
        Verdict stalled = verdict("hdtf_katiehill.frozen.mp4");
        assertThat(stalled.verdict()).as("%s", stalled).isNotEqualTo(Label.FAKE);
        assertThat(stalled.windows().frozenPicture()).isGreaterThanOrEqualTo(9);
        Verdict demo = verdict("syncnet_example.frozen.mp4");
        assertThat(demo.verdict()).as("%s", demo).isEqualTo(Label.REAL);
        assertThat(demo.windows().frozenPicture()).isBetween(3L, 6L);
        assertThat(demo.windows().scored()).isGreaterThanOrEqualTo(15);
        for (String clip : REAL_CLIPS) {
            assertThat(verdict(clip).windows().frozenPicture()).as(clip).isZero();
        }
    }

    @Test
    void aQuietRecordingIsJudgedNotCalledSilent() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        // both were UNCERTAIN with every window 'silence' under the fixed -45 dBFS gate
        for (String clip : List.of("hdtf_radio2", "syncnet_example")) {
            Verdict quiet = verdict(clip + ".quiet.mkv");
            Verdict original = verdict(REAL_CLIPS.stream().filter(c -> c.startsWith(clip)).findFirst().orElseThrow());
            assertThat(quiet.verdict()).as("%s", quiet).isEqualTo(Label.REAL);
            assertThat(quiet.windows().scored()).as("%s", quiet)
                    .isGreaterThanOrEqualTo(original.windows().scored() * 3 / 4);
            assertThat(quiet.offsetMs()).as("%s", quiet).isCloseTo(original.offsetMs(), offset(40.0));
        }
    }

    @Test
    void videoStreamWithoutDecodableFramesIsAnErrorThatSaysSo() {
        Verdict v = verdict("headerless_video.ts");
        assertThat(v.kind()).isEqualTo(VerdictKind.ERROR);
        assertThat(v.reasons()).containsExactly("no-video");
        assertThat(v.error()).contains("video stream gave no decodable frames").doesNotContain("no video stream");
    }

    @Test
    void corruptFileIsAnErrorThatSaysWhy() {
        Verdict v = verdict("corrupt.mp4");
        assertThat(v.kind()).isEqualTo(VerdictKind.ERROR);
        assertThat(v.reasons()).containsExactly("undecodable");
        assertThat(v.error()).contains("undecodable").doesNotContain("setFormat()").doesNotContain("FFmpegLogCallback");
    }

    @Test
    void realClipsAreRealWithSmallOffsets() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        for (String clip : REAL_CLIPS) {
            Verdict v = verdict(clip);
            assertThat(v.verdict()).as("%s", v).isEqualTo(Label.REAL);
            assertThat(v.windows().scored()).isGreaterThanOrEqualTo(3);
            if (clip.startsWith("syncnet")) {
                // its reference code reports 3 frames (120 ms); the sign convention there is not stated
                assertThat(Math.abs(v.offsetMs())).as("%s", v).isCloseTo(120.0, offset(40.0));
            } else {
                // HDTF/retalking offsets are not independently measured; these clips measure -2 to +3 frames here
                assertThat(Math.abs(v.offsetMs())).as("%s", v).isLessThanOrEqualTo(120.0);
            }
        }
        assertThat(verdict("hdtf_aoc.mp4").windows().total()).isEqualTo(spec.windowsIn(200));
        assertThat(verdict("retalking_face2.mp4").windows().total()).isEqualTo(spec.windowsIn(125));
    }

    @Test
    void realClipsWithShiftedAudioAreFlaggedAndTheShiftIsRecovered() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        for (String clip : REAL_CLIPS) {
            Verdict early = verdict(shiftedName(clip, -400));
            Verdict late = verdict(shiftedName(clip, 400));
            Verdict original = verdict(clip);
            assertThat(early.verdict()).as("%s", early).isEqualTo(Label.FAKE);
            assertThat(late.verdict()).as("%s", late).isEqualTo(Label.FAKE);
            // the shift is recovered within one frame, relative to the clip's own measured offset
            assertThat(early.offsetMs() - original.offsetMs()).as("%s vs %s", early, original)
                    .isCloseTo(-400.0, offset(40.0));
            assertThat(late.offsetMs() - original.offsetMs()).as("%s vs %s", late, original)
                    .isCloseTo(400.0, offset(40.0));
            assertThat(early.windows().total()).isEqualTo(original.windows().total());
        }
    }

    @Test
    void realClipsShiftedBy200MsAreFlaggedWhereTheirOffsetPassesTheLimits() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        DecisionPolicy policy = DecisionPolicy.fromManifest(ModelManifest.readValid(MANIFEST));
        int flagged = 0;
        for (String clip : REAL_CLIPS) {
            Verdict original = verdict(clip);
            for (int ms : new int[] {-200, 200}) {
                Verdict v = verdict(shiftedName(clip, ms));
                double expected = original.offsetMs() + ms;
                assertThat(v.offsetMs() - original.offsetMs()).as("%s vs %s", v, original).isCloseTo(ms, offset(40.0));
                // a copy whose own offset plus the shift stays inside the limits (as the original's does) is as in
                // sync as a real clip may be: the offset alone cannot flag it
                if (Math.abs(expected) >= policy.offsetLimitFor(expected) + 40) {
                    assertThat(v.verdict()).as("%s", v).isEqualTo(Label.FAKE);
                }
                flagged += v.verdict() == Label.FAKE ? 1 : 0;
            }
        }
        // measured: 11 of 12 (retalking_face2 +200 ms measures +120 ms, as far off as hdtf_radio2's original)
        assertThat(flagged).isGreaterThanOrEqualTo(11);
    }

    @Test
    void anAudioDropoutIsLeftOutOfTheScoreInsteadOfReadingAsADesync() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        // every window of the 8 s clip reaches the 2 s dropout (with its ±600 ms context): nothing is left to judge
        Verdict short8 = verdict("hdtf_aoc.dropout.mkv");
        assertThat(short8.verdict()).as("%s", short8).isEqualTo(Label.UNCERTAIN);
        assertThat(short8.reasons()).contains("audio-dropout", "insufficient-evidence");
        assertThat(short8.windows().audioDropout()).isGreaterThanOrEqualTo(short8.windows().total() - 3);
        // the 12.7 s clip keeps the windows clear of its 1 s dropout, and they say what the whole clip says
        Verdict longer = verdict("syncnet_example.dropout.mkv");
        Verdict original = verdict("syncnet_example.avi");
        assertThat(longer.verdict()).as("%s", longer).isEqualTo(Label.REAL);
        assertThat(longer.windows().audioDropout()).isBetween(5L, 12L);
        // the windows mostly inside the muted second are silent, as they would be anyway
        assertThat(longer.windows().scored() + longer.windows().audioDropout() + longer.windows().silent())
                .isEqualTo(original.windows().scored() + original.windows().silent());
        assertThat(longer.windows().scored()).isGreaterThanOrEqualTo(10);
        assertThat(longer.explanation()).contains("digital silence");
    }

    @Test
    void realClipsWithAnotherClipsSoundAreFlagged() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        for (String clip : REAL_CLIPS) {
            Verdict v = verdict(swappedName(clip));
            assertThat(v.verdict()).as("%s", v).isEqualTo(Label.FAKE);
            assertThat(v.windows().scored()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aTwentyFpsCopyOfARealClipIsNotFake() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        Verdict v = verdict("hdtf_katiehill.20fps.mp4");
        assertThat(v.verdict()).as("%s", v).isNotEqualTo(Label.FAKE);
        assertThat(v.windows().scored()).isEqualTo(spec.windowsIn(200));
        assertThat(v.offsetMs()).isCloseTo(0.0, offset(40.0));
    }

    @Test
    void realClipsWithoutFaceOrAudioSaySo() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        assertThat(verdict("noface_vggsound.mp4").reasons()).contains("no-face");
        assertThat(verdict("face_no_audio.mp4").reasons()).contains("no-audio");
    }
}
