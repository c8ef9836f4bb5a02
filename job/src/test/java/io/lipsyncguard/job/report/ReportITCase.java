package io.lipsyncguard.job.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.cli.AnalyzeCommand;
import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Label;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.ModelManifest;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --report}: reports of real analyses, the HTML rendered by headless Chromium and checked on its
 * screenshot and DOM, the PDF rasterised by pdftoppm and checked page by page.
 */
class ReportITCase {

    @TempDir
    static Path tmp;

    static Path reports;
    static List<VideoReport> written;
    static VideoReport fake;

    @BeforeAll
    static void analyseAndReport() throws Exception {
        Path inSync = tmp.resolve("in_sync.mp4");
        TalkingHeadGenerator.write(inSync, SampleSpec.inSync(41, 8));
        Path shifted = tmp.resolve("shifted.mp4");
        TalkingHeadGenerator.write(shifted, SampleSpec.shifted(42, 8, 400));
        JobConfig config = JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU);
        AnalyzeCommand.Analysis a = AnalyzeCommand.analyse(List.of(inSync, shifted), config, 2, true, v -> { });
        reports = tmp.resolve("reports");
        written = ReportWriter.write(reports, a.verdicts(), a.windows(),
                DecisionPolicy.fromManifest(ModelManifest.readValid(config.manifestPath())));
        fake = written.stream().filter(r -> r.verdict().verdict() == Label.FAKE).findFirst().orElseThrow();
    }

    @Test
    void everyVideoHasAnHtmlPageAPdfAndARowInTheIndex() throws IOException {
        assertThat(written).hasSize(2);
        String index = Files.readString(reports.resolve("index.html"));
        for (VideoReport r : written) {
            assertThat(reports.resolve(r.baseName() + ".html")).isNotEmptyFile();
            assertThat(reports.resolve(r.baseName() + ".pdf")).isNotEmptyFile();
            assertThat(index).contains("href=\"" + r.baseName() + ".html\"").contains(r.verdict().videoId());
            assertThat(r.thumbnail()).as("a face thumbnail").isNotNull();
        }
    }

    @Test
    void chromiumRendersTheKeyElements() throws Exception {
        String chromium = tool("chromium");
        Path html = reports.resolve(fake.baseName() + ".html");
        Path shot = tmp.resolve("shot.png");
        run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,2200",
                "--screenshot=" + shot, html.toUri().toString());
        BufferedImage img = ImageIO.read(shot.toFile());
        // the FAKE badge in its colour, the heatmap's red windows, the green of... nothing else is that red
        assertThat(count(img, 0xC62828, 0)).as("FAKE badge pixels").isGreaterThan(3000);
        assertThat(countWhere(img, rgb -> isHeatRed(rgb))).as("heatmap red blocks").isGreaterThan(2000);
        String dom = run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", html.toUri().toString());
        assertThat(dom).contains("id=\"verdict\"", "id=\"metrics\"", "id=\"heatmap\"", "id=\"score-curve\"",
                "id=\"offset-curve\"", "id=\"thumbnail\"", "id=\"segments\"");
        assertThat(dom).contains(HtmlReport.esc(fake.verdict().explanation()));
    }

    @Test
    void thePdfHasTwoNonEmptyPagesWithTheCharts() throws Exception {
        String pdftoppm = tool("pdftoppm");
        Path prefix = tmp.resolve("page");
        run(pdftoppm, "-r", "50", "-png", reports.resolve(fake.baseName() + ".pdf").toString(), prefix.toString());
        List<Path> pages;
        try (Stream<Path> s = Files.list(tmp)) {
            pages = s.filter(p -> p.getFileName().toString().startsWith("page-")).sorted().toList();
        }
        assertThat(pages).hasSize(PdfReport.PAGES);
        for (Path p : pages) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertThat(countWhere(img, rgb -> (rgb & 0xFFFFFF) != 0xFFFFFF)).as("ink on %s", p)
                    .isGreaterThan(img.getWidth() * img.getHeight() / 50);
        }
        BufferedImage first = ImageIO.read(pages.get(0).toFile());
        assertThat(count(first, 0xC62828, 8)).as("FAKE badge on page 1").isGreaterThan(300);
        BufferedImage charts = ImageIO.read(pages.get(1).toFile());
        assertThat(countWhere(charts, ReportITCase::isHeatRed)).as("heatmap on page 2").isGreaterThan(300);
    }

    static boolean isHeatRed(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return r >= 240 && g < 150 && b >= 40 && b <= 80; // scoreColour above ~0.7
    }

    static long count(BufferedImage img, int rgb, int tolerance) {
        return countWhere(img, c -> Math.abs(((c >> 16) & 0xff) - ((rgb >> 16) & 0xff)) <= tolerance
                && Math.abs(((c >> 8) & 0xff) - ((rgb >> 8) & 0xff)) <= tolerance
                && Math.abs((c & 0xff) - (rgb & 0xff)) <= tolerance);
    }

    static long countWhere(BufferedImage img, java.util.function.IntPredicate p) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (p.test(img.getRGB(x, y))) {
                    n++;
                }
            }
        }
        return n;
    }

    static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        Assumptions.abort(name + " is not installed (apt-get install chromium poppler-utils; .ci/run does)");
        return null;
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("%s exit code", command[0]).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
