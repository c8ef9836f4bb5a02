package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.models.ModelManifest;
import org.junit.jupiter.api.Test;

/** The geometry a video's buffer records: what makes held frames unfit to cut, and nothing else. */
class WindowSpecTest {

    @Test
    void theGeometryChangesWithTheWindowsNotWithTheGates() {
        WindowSpec s = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        WindowSpec quieterGate = new WindowSpec(s.fps(), s.sampleRate(), s.windowFrames(), s.strideFrames(),
                s.marginFrames(), s.cropWidth(), s.cropHeight(), s.nMels(), s.nFft(), s.winLength(), s.hop(), s.fMin(),
                s.fMax(), s.melPerFrame(), s.speechThresholdDbfs() - 10, s.faceCrops(), s.nMfcc(), s.wholeFrames());
        assertThat(quieterGate.geometry()).isEqualTo(s.geometry());
        WindowSpec otherStride = new WindowSpec(s.fps(), s.sampleRate(), s.windowFrames(), 5, s.marginFrames(),
                s.cropWidth(), s.cropHeight(), s.nMels(), s.nFft(), s.winLength(), s.hop(), s.fMin(), s.fMax(),
                s.melPerFrame(), s.speechThresholdDbfs(), s.faceCrops(), s.nMfcc(), s.wholeFrames());
        assertThat(otherStride.geometry()).isNotEqualTo(s.geometry()).contains("strideFrames=5");
        WindowSpec colour = new WindowSpec(s.fps(), s.sampleRate(), s.windowFrames(), s.strideFrames(),
                s.marginFrames(), s.cropWidth(), s.cropHeight(), s.nMels(), s.nFft(), s.winLength(), s.hop(), s.fMin(),
                s.fMax(), s.melPerFrame(), s.speechThresholdDbfs(), true, s.nMfcc(), s.wholeFrames());
        assertThat(colour.geometry()).isNotEqualTo(s.geometry());
    }
}
