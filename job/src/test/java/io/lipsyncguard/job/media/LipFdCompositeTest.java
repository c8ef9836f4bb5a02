package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** LipFD's composite frees its native copies of the frames as it goes, not when a garbage collection runs. */
class LipFdCompositeTest {

    @Test
    void composingWindowsLeavesNoNativeMemoryBehind() {
        int cols = 20;
        byte[] slice = new byte[LibrosaMel.N_MELS * cols * 3];
        byte[][] frames = new byte[LipFdComposite.WINDOW][];
        int[] size = new int[LipFdComposite.WINDOW];
        for (int f = 0; f < frames.length; f++) {
            frames[f] = new byte[LipFdComposite.FRAME * LipFdComposite.FRAME * 3];
            size[f] = LipFdComposite.FRAME;
        }
        LipFdComposite.fromSlice(slice, cols, frames, size, size); // OpenCV's own first-use allocations
        long before = Pointer.totalBytes();
        for (int i = 0; i < 10; i++) {
            byte[] out = LipFdComposite.fromSlice(slice, cols, frames, size, size);
            assertThat(out).hasSize(LipFdComposite.HEIGHT * LipFdComposite.WIDTH * 3);
        }
        // each window copies some 3.8 MB of frames into native memory
        assertThat(Pointer.totalBytes() - before).isLessThan(1L << 20);
    }
}
