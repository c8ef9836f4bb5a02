package io.lipsyncguard.job.score;

import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.MediaDecodeException;
import io.lipsyncguard.job.media.MediaFeatureExtractor;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.media.MediaSpec;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.VideoBuffer;
import io.lipsyncguard.job.window.WindowCutter;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.Thresholds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The decode → window → score path for one whole file without Flink, built from the same functions the job uses:
 * for calibration, benchmarks and tests that compare the streaming job against it.
 */
public final class OfflineScorer {

    private OfflineScorer() {}

    /** Every window of a file, as the job would cut them from one whole-file chunk. */
    public static List<AvWindow> windowsOf(Path file, String videoId, WindowSpec spec, int detectEveryFrames,
            int detectSide) throws MediaDecodeException {
        MediaSpec mediaSpec = spec.mediaSpec(detectEveryFrames, detectSide);
        MediaFeatures features = MediaFeatureExtractor.extract(file, mediaSpec,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        float[][] fb = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(), spec.fMax());
        VideoBuffer b = new VideoBuffer();
        WindowCutter.append(b, features, spec);
        WindowCutter.computeMel(b, spec, fb, true);
        return WindowCutter.cut(b, spec, videoId);
    }

    /** Scores windows in batches; windows without enough evidence come back unscored with their status. */
    public static List<ScoredWindow> score(List<AvWindow> windows, LoadedModel model, int maxBatch) {
        WindowSpec spec = WindowSpec.fromManifest(model.manifest());
        Thresholds t = model.manifest().thresholds();
        List<ScoredWindow> out = new ArrayList<>(windows.size());
        List<AvWindow> batch = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (AvWindow w : windows) {
            ScoreStatus gate = WindowScorer.evidenceGate(w, t, spec.cropPixels());
            if (gate != null) {
                out.add(ScoredWindow.unscored(w, gate, null));
                continue;
            }
            out.add(null);
            batch.add(w);
            slots.add(out.size() - 1);
            if (batch.size() == maxBatch) {
                flush(batch, slots, out, model, spec);
            }
        }
        flush(batch, slots, out, model, spec);
        return out;
    }

    /** Scores every window regardless of evidence (calibration wants the raw curves). */
    public static List<WindowResult> scoreAll(List<AvWindow> windows, LoadedModel model, int maxBatch) {
        WindowSpec spec = WindowSpec.fromManifest(model.manifest());
        List<WindowResult> out = new ArrayList<>();
        for (int i = 0; i < windows.size(); i += maxBatch) {
            out.addAll(ModelRunner.score(model.session(), model.manifest(), spec,
                    windows.subList(i, Math.min(windows.size(), i + maxBatch))));
        }
        return out;
    }

    private static void flush(List<AvWindow> batch, List<Integer> slots, List<ScoredWindow> out, LoadedModel model,
            WindowSpec spec) {
        if (batch.isEmpty()) {
            return;
        }
        List<WindowResult> results = ModelRunner.score(model.session(), model.manifest(), spec, batch);
        for (int i = 0; i < batch.size(); i++) {
            out.set(slots.get(i), ScoredWindow.scored(batch.get(i), results.get(i)));
        }
        batch.clear();
        slots.clear();
    }
}
