package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.media.MediaFeatureExtractor;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench}: throughput of {@code analyze} on a real clip in frames/s and × real time, next to FFmpeg's
 * decode-only speed on the same file, measured in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure analyze throughput (frames/s, x real time) against ffmpeg decode-only fps.")
public final class BenchmarkCommand implements Callable<Integer> {

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "A real video clip.")
    Path file;

    @Option(names = "--copies", defaultValue = "8", description = "Copies of the clip analysed in one job, so "
            + "Flink's start-up is amortised (default: ${DEFAULT-VALUE}).")
    int copies;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            System.err.println("bench: no such file: " + file);
            return 2;
        }
        if (copies < 1) {
            System.err.println("bench: --copies must be at least 1 but is " + copies);
            return 2;
        }
        JobConfig config = options.loadable("bench");
        if (config == null) {
            return 2;
        }
        MediaFeatures probe = MediaFeatureExtractor.extract(file,
                new io.lipsyncguard.job.media.MediaSpec(25, 16000, 32, 32, 1000, 320),
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        long framesPerCopy = probe.frameCount();
        double secondsPerCopy = framesPerCopy / 25.0;

        double ffmpegFps = FfmpegTool.decodeOnlyFps(file);

        Path dir = Files.createTempDirectory("lipsync-bench");
        List<Path> inputs = new ArrayList<>();
        String name = file.getFileName().toString();
        String ext = name.lastIndexOf('.') > 0 ? name.substring(name.lastIndexOf('.')) : "";
        for (int i = 0; i < copies; i++) {
            Path copy = dir.resolve("copy-" + i + ext);
            Files.copy(file, copy);
            inputs.add(copy);
        }
        // warm-up: JIT, native libraries and the model load once before the measured run
        AnalyzeCommand.run(List.of(inputs.get(0)), config, 1);
        long start = System.nanoTime();
        List<Verdict> verdicts = AnalyzeCommand.run(inputs, config, options.parallelism);
        double seconds = (System.nanoTime() - start) / 1e9;
        long frames = framesPerCopy * copies;
        System.out.printf(Locale.ROOT, "file: %s (%d frames at 25 fps, %.1f s, %dx%d)%n", file, framesPerCopy,
                secondsPerCopy, probe.sourceWidth(), probe.sourceHeight());
        System.out.printf(Locale.ROOT, "ffmpeg decode-only (-f null): %.0f frames/s%n", ffmpegFps);
        System.out.printf(Locale.ROOT,
                "analyze (%d copies, parallelism %d, %d verdicts, incl. Flink job start): %.1f s, %.0f frames/s, "
                        + "%.1f x real time%n",
                copies, options.parallelism, verdicts.size(), seconds, frames / seconds, secondsPerCopy * copies / seconds);
        System.out.printf(Locale.ROOT, "analyze / ffmpeg decode-only: %.2f%n", frames / seconds / ffmpegFps);
        return 0;
    }
}
