package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The 25 fps grid over sources of other rates: faster ones keep the nearest frame, slower ones blend. */
class FrameGridTest {

    static final MediaSpec SPEC = new MediaSpec(25, 16_000, 2, 2, 5, 320);

    /** Offers {@code frames} frames {@code periodUs} apart, frame i's pixels all 10·i, and returns the slot values. */
    static int[] grid(int frames, long periodUs) {
        MediaFeatureExtractor.Grid g = new MediaFeatureExtractor.Grid(SPEC);
        for (int i = 0; i < frames; i++) {
            byte[] crop = new byte[4];
            Arrays.fill(crop, (byte) (10 * i));
            g.offer(i * periodUs, crop, true, 1);
        }
        g.finish(1_000_000d / periodUs);
        MediaFeatureExtractor.Grid.Slots s = g.drain();
        int[] values = new int[s.count()];
        for (int i = 0; i < values.length; i++) {
            values[i] = s.crops()[i * 4] & 0xFF;
        }
        return values;
    }

    @Test
    void aTwentyFpsSourceIsBlendedWithoutRepeatedSlots() {
        int[] v = grid(21, 50_000); // 1 s at 20 fps
        assertThat(v).hasSize(26);
        // slot k at 40·k ms lies 0.8·k frames in: frame values 10 apart, so 8·k
        for (int k = 0; k < 25; k++) {
            assertThat(v[k]).as("slot %d", k).isEqualTo(8 * k);
        }
        for (int k = 1; k < 25; k++) {
            assertThat(v[k]).as("slot %d repeats slot %d", k, k - 1).isNotEqualTo(v[k - 1]);
        }
    }

    @Test
    void sourcesAtOrAboveTheGridRateKeepTheNearestFrame() {
        int[] same = grid(25, 40_000);
        for (int k = 0; k < 25; k++) {
            assertThat(same[k]).isEqualTo(10 * k);
        }
        // 24 fps is held, as before (a repeat a second), not blended
        int[] film = grid(24, 41_667);
        assertThat(Arrays.stream(film).allMatch(x -> x % 10 == 0)).isTrue();
        // 30 fps: every slot one of the frames
        int[] thirty = grid(25, 33_333); // (25 frames: their values stay below 256)
        assertThat(Arrays.stream(thirty).allMatch(x -> x % 10 == 0)).isTrue();
    }

    @Test
    void aStallIsHeldNotCrossFaded() {
        MediaFeatureExtractor.Grid g = new MediaFeatureExtractor.Grid(SPEC);
        g.offer(0, new byte[] {0, 0, 0, 0}, true, 1);
        g.offer(1_000_000, new byte[] {100, 100, 100, 100}, true, 1); // a second without frames
        g.finish(25);
        MediaFeatureExtractor.Grid.Slots s = g.drain();
        for (int i = 0; i < s.count(); i++) {
            assertThat(s.crops()[i * 4] & 0xFF).isIn(0, 100);
        }
    }
}
