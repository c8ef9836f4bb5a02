package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stereo-to-mono mix on generated channels: FFmpeg's mix, except for channels out of phase. */
class StereoDownmixTest {

    private static final float[] VOICE = TalkingHeadGenerator.speechAudio(3, 1, 16_000);

    /** Interleaves {@code left} with {@code gain}·{@code right}. */
    private static float[] stereo(float[] left, float[] right, float gain) {
        float[] s = new float[2 * left.length];
        for (int i = 0; i < left.length; i++) {
            s[2 * i] = left[i];
            s[2 * i + 1] = gain * right[i];
        }
        return s;
    }

    private static double energy(float[] x) {
        double e = 0;
        for (float v : x) {
            e += v * v;
        }
        return e;
    }

    @Test
    void channelsInPhaseMixAsFfmpegDoes() {
        StereoDownmix.Mono m = StereoDownmix.ofInterleaved(stereo(VOICE, VOICE, 0.5f));
        assertThat(m.outOfPhase()).isFalse();
        assertThat(m.samples()).hasSize(VOICE.length);
        for (int i = 0; i < VOICE.length; i += 97) {
            assertThat(m.samples()[i]).isCloseTo((float) (1.5 * VOICE[i] / Math.sqrt(2)), within(1e-6f));
        }
    }

    @Test
    void aChannelTurnedUpsideDownIsTurnedBack() {
        StereoDownmix.Mono inPhase = StereoDownmix.ofInterleaved(stereo(VOICE, VOICE, 1));
        StereoDownmix.Mono inverted = StereoDownmix.ofInterleaved(stereo(VOICE, VOICE, -1));
        assertThat(inverted.outOfPhase()).isTrue();
        assertThat(inverted.samples()).containsExactly(inPhase.samples());
        // a quieter inverted channel (an attenuated miswired microphone) too
        StereoDownmix.Mono weaker = StereoDownmix.ofInterleaved(stereo(VOICE, VOICE, -0.6f));
        assertThat(weaker.outOfPhase()).isTrue();
        assertThat(energy(weaker.samples())).isCloseTo(energy(VOICE) * 1.6 * 1.6 / 2, within(energy(VOICE) * 1e-3));
    }

    @Test
    void unrelatedOrOneSidedChannelsKeepThePlainMix() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] noise = new float[VOICE.length];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (0.3 * rnd.nextGaussian());
        }
        for (float[] s : new float[][] {stereo(VOICE, noise, 1), stereo(VOICE, VOICE, 0), stereo(VOICE, VOICE, -0.2f),
                new float[400]}) {
            StereoDownmix.Mono m = StereoDownmix.ofInterleaved(s);
            assertThat(m.outOfPhase()).isFalse();
            assertThat(m.samples()[123]).isCloseTo((float) ((s[246] + s[247]) / Math.sqrt(2)), within(1e-6f));
        }
    }
}
