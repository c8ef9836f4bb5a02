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
    void rejectsBadSpecs() {
        assertThatThrownBy(() -> new SyncBaselineSpec(10, 5, 4, 4, 4, 8, 5, 0, 10, 0, "delta"))
                .hasMessageContaining("toleranceFrames");
        assertThatThrownBy(() -> new SyncBaselineSpec(10, 5, 4, 4, 4, 8, 2, 0, 10, 0, "pitch"))
                .hasMessageContaining("audioSignal");
        assertThatThrownBy(() -> SyncBaselineFeatures.inSyncMax(new float[7], 5, 2)).hasMessageContaining("2K+1");
    }
}
