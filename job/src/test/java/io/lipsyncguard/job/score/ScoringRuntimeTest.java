package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.Device;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/** The JVM-wide runtime reports every batch it runs to its listeners (the per-subtask batch-size histograms). */
class ScoringRuntimeTest {

    @Test
    void listenersSeeEveryBatchUntilRemoved() throws Exception {
        ScoringRuntime rt = ScoringRuntime.acquire(ModelPaths.defaultManifest(), Device.CPU, 4, Duration.ofMillis(50));
        try {
            WindowSpec spec = rt.spec();
            List<Integer> sizes = new CopyOnWriteArrayList<>();
            IntConsumer listener = sizes::add;
            rt.addBatchListener(listener);
            List<CompletableFuture<WindowResult>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(rt.batcher().submit(window(spec, i)));
            }
            for (CompletableFuture<WindowResult> f : futures) {
                assertThat(f.get().score()).isBetween(0.0, 1.0);
            }
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
            assertThat(sizes).allSatisfy(s -> assertThat(s).isBetween(1, 4));
            rt.removeBatchListener(listener);
            rt.batcher().submit(window(spec, 9)).get();
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
        } finally {
            ScoringRuntime.release(rt);
        }
    }

    static AvWindow window(WindowSpec spec, int i) {
        byte[] crops = new byte[spec.windowFrames() * spec.cropPixels()];
        new java.util.Random(i).nextBytes(crops);
        float[] audio = new float[spec.spanFrames() * spec.melValuesPerFrame()];
        return new AvWindow("v", WindowKind.WINDOW, i, 0, 2000, crops, audio, 1, 1, 0, 0, true, null, 0);
    }
}
