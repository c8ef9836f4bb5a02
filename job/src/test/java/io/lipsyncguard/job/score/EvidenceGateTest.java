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
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 1.0, 0.0), T)).isNull();
        assertThat(WindowScorer.evidenceGate(window(good, 0.79, 1.0, 0.0), T)).isEqualTo(ScoreStatus.NO_FACE);
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 1.0, 0.6), T)).isEqualTo(ScoreStatus.MULTI_FACE);
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 0.29, 0.0), T)).isEqualTo(ScoreStatus.SILENT);
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 1.0, 0.0, 0.05), T))
                .isEqualTo(ScoreStatus.AUDIO_DROPOUT);
        // a window that is silent anyway stays silent, whatever else its audio does
        assertThat(WindowScorer.evidenceGate(window(good, 1.0, 0.1, 0.0, 0.5), T)).isEqualTo(ScoreStatus.SILENT);
        byte[] flat = new byte[50 * 32 * 32];
        java.util.Arrays.fill(flat, (byte) 200);
        assertThat(WindowScorer.evidenceGate(window(flat, 1.0, 1.0, 0.0), T)).isEqualTo(ScoreStatus.LOW_QUALITY);
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
