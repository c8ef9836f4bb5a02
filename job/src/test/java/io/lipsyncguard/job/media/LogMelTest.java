package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The log-mel features on generated signals: bins, filterbank shape, floor and timing. */
class LogMelTest {

    private static final int SR = 16000;

    private static float[] sine(double hz, int n, double amp) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / SR));
        }
        return s;
    }

    private static int argmax(float[] mel, int frame, int nMels) {
        int best = 0;
        for (int m = 1; m < nMels; m++) {
            if (mel[frame * nMels + m] > mel[frame * nMels + best]) {
                best = m;
            }
        }
        return best;
    }

    @Test
    void sineLandsInTheMelBinWhoseCentreIsNearest() {
        float[][] fb = LogMel.filterbank(SR, 512, 40, 0, 8000);
        for (double hz : new double[] {300, 1000, 3000, 6000}) {
            float[] mel = LogMel.compute(sine(hz, SR, 0.5), 8000, 1, 512, 400, 160, fb);
            int bin = argmax(mel, 0, 40);
            double lo = LogMel.hzToMel(0);
            double hi = LogMel.hzToMel(8000);
            double centre = LogMel.melToHz(lo + (hi - lo) * (bin + 1) / 41.0);
            double nextCentre = LogMel.melToHz(lo + (hi - lo) * (bin + 2) / 41.0);
            double prevCentre = LogMel.melToHz(lo + (hi - lo) * bin / 41.0);
            assertThat(hz).as("%s Hz in bin %d centred at %.0f Hz", hz, bin, centre)
                    .isBetween((prevCentre + centre) / 2, (centre + nextCentre) / 2);
        }
    }

    @Test
    void filterbankIsTriangularWithUnitPeakAndCoversTheRange() {
        float[][] fb = LogMel.filterbank(SR, 512, 40, 0, 8000);
        assertThat(fb).hasNumberOfRows(40);
        for (float[] row : fb) {
            assertThat(row).hasSize(257);
            float max = 0;
            for (float v : row) {
                assertThat(v).isBetween(0f, 1f);
                max = Math.max(max, v);
            }
            assertThat(max).isGreaterThan(0.5f);
        }
    }

    @Test
    void silenceGivesTheLogFloorAndLouderGivesMore() {
        float[][] fb = LogMel.filterbank(SR, 512, 40, 0, 8000);
        float[] silent = LogMel.compute(new float[SR], 8000, 2, 512, 400, 160, fb);
        for (float v : silent) {
            assertThat((double) v).isCloseTo(Math.log(LogMel.POWER_FLOOR), org.assertj.core.data.Offset.offset(1e-6));
        }
        float[] quiet = LogMel.compute(sine(1000, SR, 0.05), 8000, 1, 512, 400, 160, fb);
        float[] loud = LogMel.compute(sine(1000, SR, 0.5), 8000, 1, 512, 400, 160, fb);
        int bin = argmax(loud, 0, 40);
        // 20 dB more amplitude is a factor 100 in power: ln(100) ≈ 4.6
        assertThat((double) (loud[bin] - quiet[bin])).isCloseTo(Math.log(100), org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void delayedBurstGivesDelayedEnvelope() {
        float[][] fb = LogMel.filterbank(SR, 512, 40, 0, 8000);
        float[] a = new float[SR];
        float[] b = new float[SR];
        float[] burst = sine(500, 1600, 0.5);
        System.arraycopy(burst, 0, a, 4000, burst.length);
        System.arraycopy(burst, 0, b, 4000 + 3200, burst.length); // 200 ms = 20 hops later
        int frames = 100;
        float[] ma = LogMel.compute(a, 80, frames, 512, 400, 160, fb);
        float[] mb = LogMel.compute(b, 80, frames, 512, 400, 160, fb);
        assertThat(peakFrame(mb, frames) - peakFrame(ma, frames)).isEqualTo(20);
    }

    private static int onsetFrame(float[] mel, int frames) {
        for (int j = 0; j < frames; j++) {
            if (mel[j * 40 + argmax(mel, j, 40)] > 0) {
                return j;
            }
        }
        return -1;
    }

    private static int peakFrame(float[] mel, int frames) {
        int on = onsetFrame(mel, frames);
        assertThat(on).isGreaterThanOrEqualTo(0);
        return on;
    }
}
