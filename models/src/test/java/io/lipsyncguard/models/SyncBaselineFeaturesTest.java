package io.lipsyncguard.models;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Read-out helpers on hand-made lag curves. */
class SyncBaselineFeaturesTest {

    @Test
    void splitsCurveIntoInSyncAndOffSyncLags() {
        int k = 5;
        float[] curve = new float[2 * k + 1];
        curve[k + 2] = 0.6f;   // lag +2: inside tolerance 2
        curve[k - 4] = 0.9f;   // lag -4: outside
        assertThat(SyncBaselineFeatures.inSyncMax(curve, k, 2)).isCloseTo(0.6, within(1e-6));
        assertThat(SyncBaselineFeatures.offSyncMax(curve, k, 2)).isCloseTo(0.9, within(1e-6));
        assertThat(SyncBaselineFeatures.inSyncMax(curve, k, 1)).isCloseTo(0.0, within(1e-6));
        assertThat(SyncBaselineFeatures.offset(curve, k)).isEqualTo(-4);
        assertThat(SyncBaselineFeatures.confidence(curve)).isCloseTo(0.9, within(1e-6));
        SyncBaselineSpec spec = new SyncBaselineSpec(10, k, 4, 4, 4, 8, 2, 0.5, 10, 1, "delta");
        double expected = 1 / (1 + Math.exp(-(0.5 + 10 * (0.9 - 0.6) + 0.6)));
        assertThat(SyncBaselineFeatures.probability(curve, spec)).isCloseTo(expected, within(1e-6));
        assertThat(SyncBaselineModelBuilder.lagSplit(k, 2)[0]).containsExactly(3, 4, 5, 6, 7);
        assertThat(SyncBaselineModelBuilder.lagSplit(k, 2)[1]).containsExactly(0, 1, 2, 8, 9, 10);
    }

    @Test
    void smoothedOffsetIsTheCentreOfTheHumpNotItsHighestRipple() {
        int k = 15;
        // a one-lag ripple at -1 stands higher than any single lag of a hump over +2..+4
        float[] curve = new float[2 * k + 1];
        curve[k - 1] = 0.30f;
        curve[k + 2] = 0.25f;
        curve[k + 3] = 0.28f;
        curve[k + 4] = 0.25f;
        assertThat(SyncBaselineFeatures.offset(curve, k)).isEqualTo(-1);
        assertThat(SyncBaselineFeatures.smoothedOffset(curve, k, 0)).isEqualTo(-1);
        // weights 1 2 3 2 1: 2·0.25 + 3·0.28 + 2·0.25 = 1.84 at +3 against 3·0.30 = 0.90 at -1
        int centre = SyncBaselineFeatures.smoothedOffset(curve, k, 2);
        assertThat(centre).isEqualTo(3);
        // moving the whole curve moves the estimate by as much
        float[] moved = new float[2 * k + 1];
        System.arraycopy(curve, 0, moved, 5, curve.length - 5);
        assertThat(SyncBaselineFeatures.smoothedOffset(moved, k, 2)).isEqualTo(centre + 5);
        // the kernel is only read where it fits: a peak at the very edge is reported k - h in
        float[] edge = new float[2 * k + 1];
        edge[2 * k] = 1f;
        assertThat(SyncBaselineFeatures.smoothedOffset(edge, k, 2)).isEqualTo(k - 2);
        assertThatThrownBy(() -> SyncBaselineFeatures.smoothedOffset(curve, k, k)).hasMessageContaining("h < K");
    }

    @Test
    void rejectsBadSpecs() {
        assertThatThrownBy(() -> new SyncBaselineSpec(10, 5, 4, 4, 4, 8, 5, 0, 10, 0, "delta"))
                .hasMessageContaining("toleranceFrames");
        assertThatThrownBy(() -> new SyncBaselineSpec(10, 5, 4, 4, 4, 8, 2, 0, 10, 0, "pitch"))
                .hasMessageContaining("audioSignal");
        assertThatThrownBy(() -> SyncBaselineFeatures.inSyncMax(new float[7], 5, 2)).hasMessageContaining("2K+1");
    }
}
