package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.eval.StretchReliability;
import io.lipsyncguard.job.score.OfflineScorer;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.score.WindowScorer;
import io.lipsyncguard.job.score.WindowResult;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.VerdictPolicy;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.LogisticFit;
import io.lipsyncguard.models.ModelLoader;
import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.models.SyncBaselineFeatures;
import io.lipsyncguard.models.SyncBaselineModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code calibrate}: fits the sync-baseline read-out on real clips (label 0) against the same clips with the audio
 * shifted or swapped (label 1), plus synthetic clips, and writes the result into the manifest and rebuilt model.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Fit the sync-baseline calibration on real clips vs. shifted/swapped copies; rewrite the model.")
public final class CalibrateCommand implements Callable<Integer> {

    /** Real clips used; the no-face and no-audio clips carry no sync evidence. */
    static final List<String> CLIPS = List.of("hdtf_aoc.mp4", "hdtf_katiehill.mp4", "hdtf_radio2.mp4",
            "retalking_face2.mp4", "retalking_face3.mp4", "syncnet_example.avi");

    @Option(names = "--data", paramLabel = "DIR", description = "Directory of the real clips the fit uses, "
            + "by these names: hdtf_aoc.mp4, hdtf_katiehill.mp4, hdtf_radio2.mp4, retalking_face2.mp4, "
            + "retalking_face3.mp4, syncnet_example.avi (default: ../shared/data beside the checkout).")
    Path data;

    @Option(names = "--model", paramLabel = "MANIFEST", description = "Manifest to calibrate, or its directory "
            + "(default: built-in).")
    Path model;

    @Option(names = "--l2", defaultValue = "1.0", description = "L2 penalty of the logistic fit.")
    double l2;

    @Option(names = "--video-l2", defaultValue = "0.01", description = "L2 penalty of the video-level fit (few rows "
            + "of small features: a weak penalty).")
    double videoL2;

    @Option(names = "--dry-run", description = "Print the fit without writing the manifest.")
    boolean dryRun;

    @Option(names = "--stretches", split = ",", paramLabel = "N", description = "Instead of fitting: how the verdict "
            + "comes out on every run of N consecutive scored windows of each real clip alone (in sync: every FAKE is "
            + "a false alarm), e.g. --stretches 3,5,8,12.")
    int[] stretches;

    @Override
    public Integer call() throws Exception {
        // checked before the minutes of decoding and scoring that the fit and the stretches spend first
        String refused = refusedOption();
        if (refused != null) {
            System.err.println("calibrate: " + refused);
            return 2;
        }
        Path manifestPath = ModelPaths.manifestOf(model);
        ModelManifest manifest;
        try {
            manifest = ModelManifest.readValid(manifestPath);
        } catch (RuntimeException e) { // a missing file, bad JSON or a manifest that breaks the contract
            System.err.println("calibrate: cannot use model " + manifestPath + ": " + e.getMessage()
                    + "; --model takes a manifest.json or its directory");
            return 2;
        }
        if (!SyncBaselineModelBuilder.FAMILY.equals(manifest.family())) {
            // the fit is of the sync-correlation graph's read-out weights: another family's keys of the same names
            // (SyncNet's bias) mean something else, and its ONNX file cannot be rebuilt from them
            System.err.println("calibrate: fits models of family " + SyncBaselineModelBuilder.FAMILY + " only; "
                    + manifestPath + " is of family " + manifest.family());
            return 2;
        }
        Path dataDir = data != null ? data : ModelPaths.defaultManifest().getParent().getParent().getParent()
                .resolve("../shared/data").normalize();
        if (!Files.isDirectory(dataDir)) {
            System.err.println("calibrate: no data directory " + dataDir);
            return 2;
        }
        List<String> missing = CLIPS.stream().filter(c -> !Files.isRegularFile(dataDir.resolve(c))).toList();
        // a fit on fewer clips (or on the synthetic ones alone) must not replace the shipped calibration unseen
        if (missing.size() == CLIPS.size() || (!missing.isEmpty() && stretches == null && !dryRun)) {
            System.err.println("calibrate: " + dataDir + " lacks " + String.join(", ", missing) + "; the fit uses "
                    + "the real clips " + String.join(", ", CLIPS) + (missing.size() == CLIPS.size() ? ""
                    : " (--dry-run or --stretches work with those present)"));
            return 2;
        }
        WindowSpec spec = WindowSpec.fromManifest(manifest);
        if (stretches != null) {
            return stretches(manifestPath, manifest, spec, dataDir);
        }
        int k = spec.marginFrames();
        int tol = (int) manifest.calibrationNumber("toleranceFrames", 3);
        Path work = Files.createTempDirectory("lipsync-calibrate");
        List<double[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        List<double[]> vxs = new ArrayList<>();
        List<Integer> vys = new ArrayList<>();
        // the shifted and swapped copies of every clip go once fitted on
        try (LoadedModel loaded = ModelLoader.load(manifestPath, Device.CPU);
                AutoCloseable cleanup = () -> PublishCommand.deleteTree(work)) {
            List<Path> clips = new ArrayList<>();
            for (String c : CLIPS) {
                if (Files.isRegularFile(dataDir.resolve(c))) {
                    clips.add(dataDir.resolve(c));
                }
            }
            for (int i = 0; i < clips.size(); i++) {
                Path clip = clips.get(i);
                String name = clip.getFileName().toString();
                collect(clip, 0, spec, loaded, k, tol, xs, ys, vxs, vys, name);
                // the SyncNet demo clip sits 3 frames off already: ±240 ms would move it to the tolerance edge
                int[] shifts = name.startsWith("syncnet") ? new int[] {-400, 400} : new int[] {-400, -240, 240, 400};
                for (int ms : shifts) {
                    Path shifted = work.resolve(name + "." + ms + ".mkv");
                    FfmpegTool.shiftAudio(clip, shifted, ms);
                    collect(shifted, 1, spec, loaded, k, tol, xs, ys, vxs, vys, name + " shifted " + ms + " ms");
                }
                Path other = clips.get((i + 1) % clips.size());
                Path swapped = work.resolve(name + ".swapped.mkv");
                FfmpegTool.swapAudio(clip, other, swapped);
                collect(swapped, 1, spec, loaded, k, tol, xs, ys, vxs, vys, name + " with audio of " + other.getFileName());
            }
            for (long seed = 11; seed <= 12; seed++) {
                Path sync = work.resolve("synthetic-" + seed + ".mp4");
                TalkingHeadGenerator.write(sync, SampleSpec.inSync(seed, 8));
                collect(sync, 0, spec, loaded, k, tol, xs, ys, vxs, vys, "synthetic in sync " + seed);
                Path shifted = work.resolve("synthetic-" + seed + "-shift.mp4");
                TalkingHeadGenerator.write(shifted, SampleSpec.shifted(seed, 8, seed % 2 == 0 ? 400 : -400));
                collect(shifted, 1, spec, loaded, k, tol, xs, ys, vxs, vys, "synthetic shifted " + seed);
                Path swapped = work.resolve("synthetic-" + seed + "-swap.mp4");
                TalkingHeadGenerator.write(swapped, SampleSpec.swapped(seed, seed + 100, 8));
                collect(swapped, 1, spec, loaded, k, tol, xs, ys, vxs, vys, "synthetic swapped " + seed);
            }
        }
        balance(xs, ys);
        double[][] x = xs.toArray(new double[0][]);
        int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
        double[] beta = LogisticFit.fit(x, y, l2);
        int videos = vxs.size();
        int fakeVideos = vys.stream().mapToInt(Integer::intValue).sum();
        balance(vxs, vys);
        double[][] vx = vxs.toArray(new double[0][]);
        int[] vy = vys.stream().mapToInt(Integer::intValue).toArray();
        double[] vbeta = LogisticFit.fit(vx, vy, videoL2);
        int vcorrect = 0;
        for (int i = 0; i < vx.length; i++) {
            boolean fake = LogisticFit.predict(vbeta, vx[i]) >= manifest.thresholds().decision();
            vcorrect += fake == (vy[i] == 1) ? 1 : 0;
        }
        int correct = 0;
        for (int i = 0; i < x.length; i++) {
            boolean fake = LogisticFit.predict(beta, x[i]) >= manifest.thresholds().decision();
            correct += fake == (y[i] == 1) ? 1 : 0;
        }
        String summary = String.format(Locale.ROOT,
                "windows (class-balanced, %d rows): bias=%.4f weightGap=%.4f weightPeak=%.4f, balanced accuracy %.3f; "
                        + "videos (%d: %d in sync, %d shifted/swapped; average lag curve): videoBias=%.4f "
                        + "videoWeightGap=%.4f videoWeightPeak=%.4f, balanced accuracy %.3f; threshold %.2f, l2=%.2f, video l2=%.3f",
                x.length, beta[0], beta[1], beta[2], (double) correct / x.length, videos, videos - fakeVideos,
                fakeVideos, vbeta[0], vbeta[1], vbeta[2], (double) vcorrect / vx.length,
                manifest.thresholds().decision(), l2, videoL2);
        System.out.println(summary);
        if (dryRun) {
            return 0;
        }
        Map<String, Object> calibration = new LinkedHashMap<>(
                manifest.calibration() == null ? Map.of() : manifest.calibration());
        calibration.put("bias", round(beta[0]));
        calibration.put("weightGap", round(beta[1]));
        calibration.put("weightPeak", round(beta[2]));
        calibration.put("videoBias", round(vbeta[0]));
        calibration.put("videoWeightGap", round(vbeta[1]));
        calibration.put("videoWeightPeak", round(vbeta[2]));
        String notes = "Fitted by `./lipsync calibrate` (CalibrateCommand) on windows with enough evidence from "
                + String.join(", ", CLIPS) + " (label 0) vs. the same clips with audio shifted by ±240/±400 ms or "
                + "swapped with the next clip (label 1; the SyncNet demo clip only ±400 ms), plus synthetic clips; both "
                + "fits class-balanced; "
                + summary;
        SyncBaselineModelBuilder.writeCalibration(manifestPath, calibration, notes); // rebuilds the model too
        System.out.println("wrote calibration and rebuilt " + manifestPath.getParent().resolve(manifest.file()));
        return 0;
    }

    /** Why an option's value cannot work, or null: the fits' penalties and the stretch lengths. */
    String refusedOption() {
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            return "--l2 must be a finite number >= 0 but is " + l2;
        }
        if (!(videoL2 >= 0) || Double.isInfinite(videoL2)) {
            return "--video-l2 must be a finite number >= 0 but is " + videoL2;
        }
        if (stretches != null) {
            for (int n : stretches) {
                if (n < 1) {
                    return "--stretches must be window counts of at least 1 but has " + n;
                }
            }
        }
        return null;
    }

    private int stretches(Path manifestPath, ModelManifest manifest, WindowSpec spec, Path dataDir)
            throws Exception {
        DecisionPolicy policy = DecisionPolicy.fromManifest(manifest);
        StretchReliability[] totals = new StretchReliability[stretches.length];
        java.util.Arrays.fill(totals, new StretchReliability(0, 0, 0, 0));
        try (LoadedModel loaded = ModelLoader.load(manifestPath, Device.CPU)) {
            for (String c : CLIPS) {
                Path clip = dataDir.resolve(c);
                if (!Files.isRegularFile(clip)) {
                    continue;
                }
                List<ScoredWindow> scored = OfflineScorer.score(windowsOf(clip, spec), loaded, 16).stream()
                        .filter(ScoredWindow::isScored).toList();
                for (int i = 0; i < stretches.length; i++) {
                    totals[i] = totals[i].plus(StretchReliability.of(scored, stretches[i], policy));
                }
            }
        }
        System.out.println("runs of N consecutive scored windows of the real clips (in sync), each decided alone:");
        for (int i = 0; i < stretches.length; i++) {
            StretchReliability r = totals[i];
            System.out.printf(Locale.ROOT, "N=%-3d %4d runs: %4d FAKE (%d by the offset limits), %d UNCERTAIN%n",
                    stretches[i], r.runs(), r.fake(), r.avOffset(), r.uncertain());
        }
        return 0;
    }

    private static void collect(Path file, int label, WindowSpec spec, LoadedModel model, int k, int tol,
            List<double[]> xs, List<Integer> ys, List<double[]> vxs, List<Integer> vys, String what)
            throws Exception {
        List<AvWindow> windows = windowsOf(file, spec);
        List<AvWindow> usable = new ArrayList<>();
        for (AvWindow w : windows) {
            if (WindowScorer.evidenceGate(w, model.manifest().thresholds(), spec.cropPixels()) == null) {
                usable.add(w);
            }
        }
        List<WindowResult> results = OfflineScorer.scoreAll(usable, model, 16);
        double offsetSum = 0;
        float[] sum = new float[2 * k + 1];
        for (WindowResult r : results) {
            xs.add(SyncBaselineFeatures.features(r.curve(), k, tol));
            ys.add(label);
            offsetSum += r.offsetFrames();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += r.curve()[i];
            }
        }
        if (!results.isEmpty()) {
            vxs.add(VerdictPolicy.curveFeatures(sum, results.size(), k, tol));
            vys.add(label);
        }
        System.err.printf(Locale.ROOT, "%-50s label %d: %d/%d usable windows, mean offset %.1f frames%n", what, label,
                usable.size(), windows.size(), results.isEmpty() ? Double.NaN : offsetSum / results.size());
    }

    /** A clip's windows as the job cuts them with its default face detection (every 5 frames, 320 px side). */
    private static List<AvWindow> windowsOf(Path file, WindowSpec spec) throws Exception {
        return OfflineScorer.windowsOf(file, file.toString(), spec, 5, 320);
    }

    /** Repeats the rows of the smaller class so both classes weigh the same in the fit. */
    static void balance(List<double[]> xs, List<Integer> ys) {
        long ones = ys.stream().filter(v -> v == 1).count();
        long zeros = ys.size() - ones;
        if (ones == 0 || zeros == 0) {
            return;
        }
        int minority = ones < zeros ? 1 : 0;
        long repeat = Math.round((double) Math.max(ones, zeros) / Math.min(ones, zeros)) - 1;
        int n = xs.size();
        for (int r = 0; r < repeat; r++) {
            for (int i = 0; i < n; i++) {
                if (ys.get(i) == minority) {
                    xs.add(xs.get(i));
                    ys.add(minority);
                }
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
