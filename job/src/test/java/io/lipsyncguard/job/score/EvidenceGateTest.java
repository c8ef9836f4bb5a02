package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.models.Thresholds;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Windows without the evidence a lip-sync judgement needs are classified, never scored. */
class EvidenceGateTest {

    static final Thresholds T = new Thresholds(0.5, 0.1, 3, 0.8, 0.3, null, null, null, null, null, null, null, null, null);

    static final int PX = 32 * 32;

    static AvWindow window(byte[] crops, double face, double speech, double multiFace) {
        return window(crops, face, speech, multiFace, 0);
    }

    static AvWindow window(byte[] crops, double face, double speech, double multiFace, double dropout) {
        return new AvWindow("v", WindowKind.WINDOW, 0, 0, 2000, crops, new float[0], face, speech, multiFace, dropout,
                true, null, 0);
    }

    static byte[] textured(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void eachMissingPieceOfEvidenceHasItsClass() {
        byte[] good = textured(50 * 32 * 32, 1);
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 1.0, 0.0), T, PX)).isNull();
        assertThat(WindowScorer.evidenceGate(window(good, 0.79, 1.0, 0.0), T, PX)).isEqualTo(ScoreStatus.NO_FACE);
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 1.0, 0.6), T, PX)).isEqualTo(ScoreStatus.MULTI_FACE);
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 0.29, 0.0), T, PX)).isEqualTo(ScoreStatus.SILENT);
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 1.0, 0.0, 0.05), T, PX))
                .isEqualTo(ScoreStatus.AUDIO_DROPOUT);
        // a window that is silent anyway stays silent, whatever else its audio does
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 0.1, 0.0, 0.5), T, PX)).isEqualTo(ScoreStatus.SILENT);
        byte[] flat = new byte[50 * 32 * 32];
        java.util.Arrays.fill(flat, (byte) 200);
        assertThat(WindowScorer.evidenceGate(window(flat, 1.0, 1.0, 0.0), T, PX)).isEqualTo(ScoreStatus.LOW_QUALITY);
    }

    /** {@code frames} crops in which each picture is shown {@code repeats} times, the first {@code held} held. */
    static byte[] pictures(int frames, int repeats, int held) {
        byte[] crops = new byte[frames * PX];
        byte[] picture = textured(PX, 0);
        for (int f = 0; f < frames; f++) {
            if (f >= held && (f - held) % repeats == 0) {
                picture = textured(PX, f + 1);
            }
            System.arraycopy(picture, 0, crops, f * PX, PX);
        }
        return crops;
    }

    @Test
    void aStillPictureIsFrozenALowRateSourceIsNot() {
        assertThat(WindowScorer.evidenceGate(window(pictures(50, 50, 50), 1.0, 1.0, 0.0), T, PX))
                .isEqualTo(ScoreStatus.FROZEN_PICTURE);
        // 5 fps on the 25 fps grid: every picture five times, a mouth that moves
        assertThat(WindowScorer.frozenFraction(pictures(50, 5, 0), PX)).isZero();
        assertThat(WindowScorer.evidenceGate(window(pictures(50, 5, 0), 1.0, 1.0, 0.0), T, PX)).isNull();
        // half a second held is a pause; a frame more is a freeze
        assertThat(WindowScorer.frozenFraction(pictures(50, 1, 12), PX)).isZero();
        assertThat(WindowScorer.frozenFraction(pictures(50, 1, 13), PX)).isEqualTo(13 / 50.0);
        // a held mouth is scored, a freeze anywhere in the window is not
        assertThat(WindowScorer.evidenceGate(window(pictures(50, 1, 12), 1.0, 1.0, 0.0), T, PX)).isNull();
        assertThat(WindowScorer.evidenceGate(window(pictures(50, 1, 13), 1.0, 1.0, 0.0), T, PX))
                .isEqualTo(ScoreStatus.FROZEN_PICTURE);
        // codec noise of one grey level on a held picture is still a picture that moves
        byte[] noisy = pictures(50, 50, 50);
        for (int f = 1; f < 50; f += 2) {
            for (int i = 0; i < PX; i++) {
                noisy[f * PX + i] = (byte) ((noisy[f * PX + i] & 0xff) ^ 1);
            }
        }
        assertThat(WindowScorer.frozenFraction(noisy, PX)).isZero();
    }

    @Test
    void cropContrastIsTheGreyLevelStandardDeviation() {
        byte[] halves = new byte[100];
        for (int i = 50; i < 100; i++) {
            halves[i] = (byte) 200; // unsigned 200, not -56
        }
        assertThat(WindowScorer.cropContrast(halves)).isEqualTo(100.0);
        assertThat(WindowScorer.cropContrast(new byte[0])).isZero();
        assertThat(T.cropContrastFloor()).isEqualTo(4.0);
    }
}
