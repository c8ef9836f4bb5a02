package io.lipsyncguard.job.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.ModelRef;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.WindowCounts;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports for names and messages the PDF fonts cannot draw or the file system cannot hold, without Flink. */
class ReportWriterTest {

    static Verdict error(String videoId, String message) {
        return new Verdict(videoId, VerdictKind.ERROR, null, 0.0, null, null, null, null, null, null, null, null, null,
                new WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0), new ModelRef("sync-baseline", "1.0.0"),
                new String[] {"undecodable"}, "The video could not be analysed: " + message, message, new String[] {message}, 8000L,
                5L);
    }

    static DecisionPolicy policy() {
        return DecisionPolicy.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
    }

    @Test
    void namesTheFontsCannotDrawAndOverLongNamesStillGetTheirReports(@TempDir Path dir) throws Exception {
        String chinese = "/数据/中文 🔥\n\tclip.mp4";
        String longName = "/d/" + "L".repeat(250) + ".mp4";
        List<String> problems = new ArrayList<>();
        List<VideoReport> written = ReportWriter.write(dir, List.of(error(chinese, "cannot open " + chinese),
                error(longName, "cannot open it")), Map.of(), policy(), problems::add);

        assertThat(problems).isEmpty();
        assertThat(written).hasSize(2);
        for (VideoReport r : written) {
            assertThat((r.baseName() + ".html").getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(255);
            assertThat(dir.resolve(r.baseName() + ".html")).isNotEmptyFile();
            try (PDDocument pdf = Loader.loadPDF(dir.resolve(r.baseName() + ".pdf").toFile())) {
                assertThat(pdf.getNumberOfPages()).isEqualTo(2);
            }
        }
        assertThat(Files.readString(dir.resolve("index.html"))).contains("中文", "LLLL");
    }

    @Test
    void oneReportThatCannotBeWrittenLeavesTheOthersAndTheIndex(@TempDir Path dir) throws Exception {
        Verdict blocked = error("/a/blocked.mp4", "x");
        // a directory where its page would go
        Files.createDirectories(dir.resolve(VideoReport.baseName(blocked.videoId()) + ".html"));
        List<String> problems = new ArrayList<>();
        List<VideoReport> written = ReportWriter.write(dir, List.of(blocked, error("/a/fine.mp4", "y")), Map.of(),
                policy(), problems::add);

        assertThat(written).extracting(r -> r.verdict().videoId()).containsExactly("/a/fine.mp4");
        assertThat(problems).singleElement().asString().startsWith("report for /a/blocked.mp4 not written: ");
        assertThat(Files.readString(dir.resolve("index.html"))).contains("/a/fine.mp4")
                .doesNotContain("blocked.mp4");
    }

    @Test
    void aLongPathAndALongExplanationAreAllInThePdf(@TempDir Path dir) throws Exception {
        String longPath = "/media/" + "x".repeat(300) + "/clip.mp4";
        StringBuilder errors = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            errors.append("chunk ").append(i).append(" undecodable: FFmpeg cannot open ").append(longPath).append(". ");
        }
        Verdict v = error(longPath, errors.toString().strip() + " END-OF-TEXT");
        List<VideoReport> written = ReportWriter.write(dir, List.of(v), Map.of(), policy());
        try (PDDocument pdf = Loader.loadPDF(dir.resolve(written.get(0).baseName() + ".pdf").toFile())) {
            // the explanation flows on to further pages before the charts page
            assertThat(pdf.getNumberOfPages()).isGreaterThan(2);
            String text = new org.apache.pdfbox.text.PDFTextStripper().getText(pdf).replaceAll("\\s", "");
            assertThat(text).contains("END-OF-TEXT");
            // the 300-character name is broken across lines, not run off the page's right edge
            assertThat(text).contains("x".repeat(300));
            float[] rightmost = {0};
            org.apache.pdfbox.text.PDFTextStripper edges = new org.apache.pdfbox.text.PDFTextStripper() {
                @Override
                protected void writeString(String line, List<org.apache.pdfbox.text.TextPosition> glyphs) {
                    for (org.apache.pdfbox.text.TextPosition g : glyphs) {
                        rightmost[0] = Math.max(rightmost[0], g.getXDirAdj() + g.getWidthDirAdj());
                    }
                }
            };
            edges.getText(pdf);
            assertThat(rightmost[0]).isLessThanOrEqualTo(pdf.getPage(0).getMediaBox().getWidth() - PdfReport.MARGIN + 1);
        }
    }

    @Test
    void everyLatin1CharacterHelveticaIsLeftWithCanBeDrawn() throws Exception {
        PDType1Font helvetica = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        StringBuilder all = new StringBuilder();
        for (int cp = 32; cp < 256; cp++) {
            all.appendCodePoint(cp);
        }
        String cleaned = new PdfReport.Fonts(helvetica, bold, true).clean("/v/clip\u00A0one\u00AD" + all + ".mp4");
        // a no-break space in a file name failed the whole report under the fallback font
        assertThat(helvetica.encode(cleaned)).isNotEmpty();
        assertThat(bold.encode(cleaned)).isNotEmpty();
        assertThat(cleaned).startsWith("/v/clip").endsWith(".mp4").contains("é", "±");
    }

    @Test
    void theUncertainBandKeepsItsPlusMinusSignInEitherFont() throws Exception {
        // "+0.10" read as a one-sided band beside the HTML's "±0.10"; Helvetica's WinAnsi encoding has the sign
        PDType1Font helvetica = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        String band = "uncertain band ±0.10";
        assertThat(new PdfReport.Fonts(helvetica, helvetica, true).clean(band)).isEqualTo(band);
        assertThat(helvetica.encode(band)).isNotEmpty();
        try (PDDocument doc = new PDDocument()) {
            if (Files.isRegularFile(PdfReport.DEJAVU)) {
                var dejavu = org.apache.pdfbox.pdmodel.font.PDType0Font.load(doc, PdfReport.DEJAVU.toFile());
                assertThat(new PdfReport.Fonts(dejavu, dejavu, false).clean(band)).isEqualTo(band);
            }
        }
    }
}
