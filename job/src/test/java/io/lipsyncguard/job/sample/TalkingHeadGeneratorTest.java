package io.lipsyncguard.job.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Checks that generated clips decode as specified and that their lips and audio relate as the variant says. */
class TalkingHeadGeneratorTest {

    private static final long SEED = 42;
    private static final double SECONDS = 4;
    private static final int FRAMES = 100;
    private static final int SHIFT_MS = 200;
    private static final int MAX_LAG = 12;

    @TempDir
    static Path dir;

    private static final Map<SampleVariant, DecodedClip> clips = new EnumMap<>(SampleVariant.class);
    private static double[] mouth;

    @BeforeAll
    static void generateOneClipPerVariant() throws IOException {
        for (SampleVariant variant : SampleVariant.values()) {
            SampleSpec spec = switch (variant) {
                case IN_SYNC -> SampleSpec.inSync(SEED, SECONDS);
                case SHIFTED -> SampleSpec.shifted(SEED, SECONDS, SHIFT_MS);
                case SWAPPED -> SampleSpec.swapped(SEED, SEED + 1000, SECONDS);
                case NO_AUDIO -> SampleSpec.noAudio(SEED, SECONDS);
                case NO_FACE -> SampleSpec.noFace(SEED, SECONDS);
            };
            Path file = dir.resolve(variant.name().toLowerCase() + ".mp4");
            TalkingHeadGenerator.write(file, spec);
            clips.put(variant, DecodedClip.decode(file, true));
        }
        mouth = TalkingHeadGenerator.mouthOpening(
                TalkingHeadGenerator.speechAudio(SEED, SECONDS, TalkingHeadGenerator.SAMPLE_RATE),
                TalkingHeadGenerator.SAMPLE_RATE, TalkingHeadGenerator.FPS);
    }

    @org.junit.jupiter.api.Test
    void aClipWhoseRecordingFailsLeavesNothingWhereItWasToBe(@TempDir Path empty) throws IOException {
        Path out = empty.resolve("interrupted.mp4");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TalkingHeadGenerator.write(out,
                SampleSpec.inSync(SEED, SECONDS), TalkingHeadGenerator.videoEncoder(), frame -> {
                    if (frame == 40) {
                        throw new IllegalStateException("interrupted at frame 40");
                    }
                })).hasMessage("interrupted at frame 40");
        try (var left = java.nio.file.Files.list(empty)) {
            assertThat(left).as("neither the clip nor its partial recording").isEmpty();
        }
        // and a complete one appears under its name only
        TalkingHeadGenerator.write(out, SampleSpec.inSync(SEED, 1));
        try (var left = java.nio.file.Files.list(empty)) {
            assertThat(left).containsExactly(out);
        }
    }

    @ParameterizedTest
    @EnumSource(SampleVariant.class)
    void everyVariantIs25FpsForItsLengthWithTheRightAudio(SampleVariant variant) {
        DecodedClip clip = clips.get(variant);
        assertThat(clip.frameRate()).isCloseTo(25.0, within(0.01));
        assertThat(clip.videoFrames()).isBetween(FRAMES - 2, FRAMES + 2);
        assertThat(clip.lengthUs() / 1e6).isCloseTo(SECONDS, within(0.1));
        if (variant == SampleVariant.NO_AUDIO) {
            assertThat(clip.audioChannels()).isZero();
            assertThat(clip.audio()).isEmpty();
        } else {
            assertThat(clip.sampleRate()).isEqualTo(16_000);
            assertThat(clip.audioChannels()).isEqualTo(1);
            assertThat(clip.audio().length / 16_000.0).isCloseTo(SECONDS, within(0.1));
        }
    }

    @ParameterizedTest
    @EnumSource(value = SampleVariant.class, names = "NO_FACE", mode = EnumSource.Mode.EXCLUDE)
    void haarFindsTheDrawnFaceInNearlyEveryFrame(SampleVariant variant) {
        assertThat(clips.get(variant).faceRate()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void haarFindsNoFaceInTheNoFaceClip() {
        assertThat(clips.get(SampleVariant.NO_FACE).faceRate()).isLessThan(0.1);
    }

    @Test
    void theMouthBandOfTheDetectedFaceDarkensAsTheMouthOpens() {
        // The job crops the mouth from the Haar box; the drawn mouth must sit in that crop and move with the speech.
        double[] band = clips.get(SampleVariant.IN_SYNC).mouthBandFilled();
        double[] darkness = Arrays.stream(band).map(v -> -v).toArray();
        assertThat(DecodedClip.correlation(mouth, darkness, 0)).isGreaterThan(0.7);
    }

    @Test
    void inSyncAudioFollowsTheMouthWithoutLag() {
        double[] envelope = clips.get(SampleVariant.IN_SYNC).audioEnvelope(25);
        assertThat(DecodedClip.bestLag(mouth, envelope, MAX_LAG)).isBetween(-1, 1);
        assertThat(DecodedClip.correlation(mouth, envelope, 0)).isGreaterThan(0.7);
    }

    @Test
    void shiftedAudioLagsTheMouthByTheShift() {
        double[] envelope = clips.get(SampleVariant.SHIFTED).audioEnvelope(25);
        assertThat(DecodedClip.bestLag(mouth, envelope, MAX_LAG)).isBetween(4, 6); // 200 ms = 5 frames
    }

    @Test
    void audioCanAlsoBeShiftedEarlier() throws IOException {
        Path file = dir.resolve("early.mp4");
        TalkingHeadGenerator.write(file, SampleSpec.shifted(SEED, SECONDS, -120));
        double[] envelope = DecodedClip.decode(file, false).audioEnvelope(25);
        assertThat(DecodedClip.bestLag(mouth, envelope, MAX_LAG)).isBetween(-4, -2); // -120 ms = -3 frames
    }

    @Test
    void theLabelledSetHasTheEvaluateLayoutAndItsShiftsAreReal() throws IOException {
        Path set = dir.resolve("labelled");
        List<Path> files = TalkingHeadGenerator.writeLabelledSet(set, 3, 500, 3);
        assertThat(files).hasSize(6).allMatch(Files::isRegularFile);
        try (Stream<Path> real = Files.list(set.resolve("0_real")); Stream<Path> fake = Files.list(set.resolve("1_fake"))) {
            assertThat(real.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("in_sync_500.mp4", "in_sync_501.mp4", "in_sync_502.mp4");
            assertThat(fake.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("shifted_200ms_503.mp4", "swapped_504.mp4", "shifted_-320ms_505.mp4");
        }
        double[] lips = TalkingHeadGenerator.mouthOpening(
                TalkingHeadGenerator.speechAudio(505, 3, TalkingHeadGenerator.SAMPLE_RATE),
                TalkingHeadGenerator.SAMPLE_RATE, TalkingHeadGenerator.FPS);
        double[] envelope = DecodedClip.decode(set.resolve("1_fake/shifted_-320ms_505.mp4"), false).audioEnvelope(25);
        assertThat(DecodedClip.bestLag(lips, envelope, MAX_LAG)).isBetween(-9, -7); // -320 ms = -8 frames
        assertThatThrownBy(() -> TalkingHeadGenerator.writeLabelledSet(set, 0, 1, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void swappedAudioBarelyCorrelatesWithTheMouth() {
        double[] swapped = clips.get(SampleVariant.SWAPPED).audioEnvelope(25);
        double[] inSync = clips.get(SampleVariant.IN_SYNC).audioEnvelope(25);
        double swappedBest = DecodedClip.maxCorrelation(mouth, swapped, MAX_LAG);
        assertThat(swappedBest).isLessThan(0.5);
        assertThat(swappedBest).isLessThan(DecodedClip.correlation(mouth, inSync, 0) - 0.3);
    }

    @Test
    void speechIsDeterministicBoundedAndHasPauses() {
        float[] a = TalkingHeadGenerator.speechAudio(7, 3, 16_000);
        float[] b = TalkingHeadGenerator.speechAudio(7, 3, 16_000);
        float[] other = TalkingHeadGenerator.speechAudio(8, 3, 16_000);
        assertThat(a).hasSize(48_000).containsExactly(b);
        assertThat(a).isNotEqualTo(other);
        for (float s : a) {
            assertThat(Math.abs(s)).isLessThanOrEqualTo(1f);
        }
        double[] opening = TalkingHeadGenerator.mouthOpening(a, 16_000, 25);
        assertThat(opening).hasSize(75);
        long closed = Arrays.stream(opening).filter(o -> o < 0.05).count();
        long wide = Arrays.stream(opening).filter(o -> o > 0.6).count();
        assertThat(closed).as("frames with the mouth shut (pauses, gaps)").isGreaterThanOrEqualTo(8);
        assertThat(wide).as("frames with the mouth well open").isGreaterThanOrEqualTo(8);
        assertThat(Arrays.stream(opening).min().orElseThrow()).isGreaterThanOrEqualTo(0.0);
        assertThat(Arrays.stream(opening).max().orElseThrow()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void silenceKeepsTheMouthShut() {
        assertThat(TalkingHeadGenerator.mouthOpening(new float[16_000], 16_000, 25))
                .hasSize(25)
                .containsOnly(0.0);
    }

    @Test
    void specsRejectContradictions() {
        assertThatThrownBy(() -> new SampleSpec(SampleVariant.IN_SYNC, 1, 4, 100, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SampleSpec.swapped(1, 1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SampleSpec.inSync(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SampleSpec.shifted(1, 1, 1500)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SampleSpec.swapped(1, 2, 4).audioSeed()).isEqualTo(2);
    }

    @Test
    void theMpeg4FallbackEncoderWritesAnEquivalentClip() throws IOException {
        Path file = dir.resolve("mpeg4.mp4");
        TalkingHeadGenerator.write(file, SampleSpec.inSync(SEED, 1), "mpeg4");
        DecodedClip clip = DecodedClip.decode(file, true);
        assertThat(clip.videoFrames()).isBetween(24, 26);
        assertThat(clip.faceRate()).isGreaterThanOrEqualTo(0.9);
        assertThat(clip.sampleRate()).isEqualTo(16_000);
    }

    @Test
    void demoSetHasTheFiveNamedClips(@TempDir Path demo) throws IOException {
        assertThat(TalkingHeadGenerator.writeDemoSet(demo))
                .extracting(p -> p.getFileName().toString())
                .containsExactly("in_sync.mp4", "shifted_400ms.mp4", "swapped.mp4", "no_face.mp4", "no_audio.mp4");
        assertThat(demo.resolve("in_sync.mp4")).isNotEmptyFile();
    }
}
