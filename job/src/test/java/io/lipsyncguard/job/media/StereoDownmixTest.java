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

    @Test
    void channelsNearTheBarKeepOneMixFromFrameToFrame() {
        // the right channel half the left turned over, with noise: right at the bar, frame after frame
        float[] voice = TalkingHeadGenerator.speechAudio(5, 3, 16_000);
        SplittableRandom rnd = new SplittableRandom(9);
        float[] s = new float[2 * voice.length];
        for (int i = 0; i < voice.length; i++) {
            s[2 * i] = voice[i];
            s[2 * i + 1] = -0.5f * voice[i] + (float) (rnd.nextGaussian() * 0.01 * Math.abs(voice[i]));
        }
        int piece = 341; // samples per decoded frame, about 21 ms
        boolean mixed = false;
        int switches = 0;
        for (int from = 0; from + piece <= voice.length; from += piece) {
            boolean before = mixed;
            float[] frame = java.util.Arrays.copyOfRange(s, 2 * from, 2 * (from + piece));
            StereoDownmix.Mono m = StereoDownmix.ofInterleaved(frame, mixed);
            mixed = m.outOfPhase();
            switches += before != mixed ? 1 : 0;
        }
        assertThat(switches).as("changes of mix over 3 s").isLessThanOrEqualTo(1);
        // decided frame by frame on one bar, the mix switches again and again
        int alone = 0;
        Boolean last = null;
        for (int from = 0; from + piece <= voice.length; from += piece) {
            boolean m = StereoDownmix.ofInterleaved(java.util.Arrays.copyOfRange(s, 2 * from, 2 * (from + piece)))
                    .outOfPhase();
            alone += last != null && last != m ? 1 : 0;
            last = m;
        }
        assertThat(alone).as("the test's channels do sit at the bar").isGreaterThan(5);
    }
}
