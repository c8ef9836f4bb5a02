package io.lipsyncguard.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/** Test fixture: synthetic mouth/audio windows with a known audio delay, and batched ORT runs of sync-baseline. */
final class SyncWindows {

    /** Batched model outputs. */
    record Outputs(float[] prob, float[] offset, float[] confidence, float[][] curve) {
    }

    private SyncWindows() {
    }

    static float[] random(Random rnd, int n, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        return x;
    }

    /**
     * A window whose mouth brightness follows a smooth random signal s(f) and whose audio log-energy follows
     * s(f - delay): audio {@code delay} frames later than the video (negative = earlier).
     */
    static float[][] delayed(SyncBaselineSpec spec, int delay, long seed) {
        Random rnd = new Random(seed);
        int t = spec.windowFrames();
        int k = spec.offsetMarginFrames();
        int reach = k + 20;
        // s is defined on window frames -reach .. t+reach
        double[] noise = new double[t + 2 * reach + 2];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = rnd.nextGaussian();
        }
        double[] s = new double[t + 2 * reach];
        for (int i = 0; i < s.length; i++) {
            s[i] = (noise[i] + noise[i + 1] + noise[i + 2]) / 3.0;
        }
        int hw = spec.height() * spec.width();
        float[] mouth = new float[t * hw];
        for (int f = 0; f < t; f++) {
            double level = 0.5 + 0.12 * s[f + reach];
            for (int y = 0; y < spec.height(); y++) {
                for (int x = 0; x < spec.width(); x++) {
                    boolean lips = y > spec.height() / 4 && y < 3 * spec.height() / 4
                            && x > spec.width() / 5 && x < 4 * spec.width() / 5;
                    double px = (lips ? level : 0.3) + 0.01 * rnd.nextGaussian();
                    mouth[f * hw + y * spec.width() + x] = (float) Math.min(1, Math.max(0, px));
                }
            }
        }
        int m = spec.melFramesPerVideoFrame();
        int b = spec.nMels();
        float[] audio = new float[spec.audioFrames() * b];
        for (int p = 0; p < spec.paddedFrames(); p++) {
            int f = p - k;
            double energy = 2.0 * s[f - delay + reach];
            for (int j = 0; j < m; j++) {
                for (int bin = 0; bin < b; bin++) {
                    audio[((p * m) + j) * b + bin] = (float) (-6.0 - 0.05 * bin + energy + 0.05 * rnd.nextGaussian());
                }
            }
        }
        return new float[][]{mouth, audio};
    }

    static Outputs run(OrtSession session, SyncBaselineSpec spec, float[][] mouths, float[][] audios) throws OrtException {
        int n = mouths.length;
        int hw = spec.height() * spec.width();
        FloatBuffer mb = FloatBuffer.allocate(n * spec.windowFrames() * hw);
        FloatBuffer ab = FloatBuffer.allocate(n * spec.audioFrames() * spec.nMels());
        for (int i = 0; i < n; i++) {
            mb.put(mouths[i]);
            ab.put(audios[i]);
        }
        mb.rewind();
        ab.rewind();
        var env = OrtSessionFactory.environment();
        try (OnnxTensor mouth = OnnxTensor.createTensor(env, mb, new long[]{n, spec.windowFrames(), spec.height(), spec.width()});
             OnnxTensor audio = OnnxTensor.createTensor(env, ab, new long[]{n, spec.audioFrames(), spec.nMels()});
             OrtSession.Result r = session.run(Map.of("mouth", mouth, "audio", audio))) {
            return new Outputs(
                    (float[]) r.get("desync_prob").orElseThrow().getValue(),
                    (float[]) r.get("offset_frames").orElseThrow().getValue(),
                    (float[]) r.get("sync_confidence").orElseThrow().getValue(),
                    (float[][]) r.get("curve").orElseThrow().getValue());
        }
    }
}
