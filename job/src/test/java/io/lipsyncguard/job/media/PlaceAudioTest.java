package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoded audio pieces land where their timestamps say, butted together only across timestamp rounding. */
class PlaceAudioTest {

    static final int RATE = 16_000;

    /** Pieces of 1024 samples of value i + 1 at the given timestamps (µs). */
    static float[] place(long... timestampsUs) {
        List<long[]> times = new ArrayList<>();
        List<float[]> pieces = new ArrayList<>();
        for (int i = 0; i < timestampsUs.length; i++) {
            times.add(new long[] {timestampsUs[i]});
            float[] p = new float[1024];
            Arrays.fill(p, i + 1);
            pieces.add(p);
        }
        long[] start = new long[1];
        float[] out = MediaFeatureExtractor.placeAudio(times, pieces, 0, RATE, start);
        assertThat(start[0]).isZero();
        return out;
    }

    static long us(long samples) {
        return samples * 1_000_000L / RATE;
    }

    @Test
    void timestampsOffByRoundingAreButtedTogether() {
        // the second piece's timestamp says one sample early, the third 17 late (as measured on real clips)
        float[] out = place(0, us(1024 - 1), us(2048 + 17));
        assertThat(out).hasSize(3 * 1024);
        assertThat(out[1023]).isEqualTo(1f);
        assertThat(out[1024]).isEqualTo(2f);
        assertThat(out[2048]).isEqualTo(3f);
    }

    @Test
    void aLostPacketLeavesItsGapAndTheSoundAfterItStaysInPlace() {
        // 15 ms (240 samples) of sound lost before the second piece: under the 20 ms the joiner once bridged
        int gap = 240;
        float[] out = place(0, us(1024 + gap), us(2048 + gap));
        assertThat(out).hasSize(3 * 1024 + gap);
        assertThat(out[1023]).isEqualTo(1f);
        assertThat(out[1024]).as("the gap is silence").isZero();
        assertThat(out[1024 + gap - 1]).isZero();
        assertThat(out[1024 + gap]).as("the second piece at its own time").isEqualTo(2f);
        assertThat(out[2048 + gap]).isEqualTo(3f);
    }
}
