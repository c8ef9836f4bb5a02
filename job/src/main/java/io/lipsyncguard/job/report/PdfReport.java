package io.lipsyncguard.job.report;

import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * Renders a {@link VideoReport} as a two-page A4 PDF with PDFBox: page 1 the verdict, thumbnail, explanation, metrics
 * and segments; page 2 the timeline heatmap, score curve and offset curve.
 */
public final class PdfReport {

    /** Pages every report has. */
    public static final int PAGES = 2;

    static final float MARGIN = 40;
    static final Path DEJAVU = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    static final Path DEJAVU_BOLD = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");

    private PdfReport() {}

    public static void write(VideoReport r, Path out) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            // DejaVu covers any video name; the built-in Helvetica (Latin-1 only) is the fallback
            boolean dejavu = Files.isRegularFile(DEJAVU) && Files.isRegularFile(DEJAVU_BOLD);
            PDFont regular = dejavu ? PDType0Font.load(doc, DEJAVU.toFile())
                    : new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            PDFont bold = dejavu ? PDType0Font.load(doc, DEJAVU_BOLD.toFile())
                    : new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
            Fonts fonts = new Fonts(regular, bold, !dejavu);
            firstPage(doc, r, fonts);
            chartsPage(doc, r, fonts);
            doc.save(out.toFile());
        }
    }

    record Fonts(PDFont regular, PDFont bold, boolean latin1Only) {
        /**
         * The text as both fonts can draw it: control characters (a newline or tab in a file name) become spaces and
         * any character a font has no glyph for (Chinese, most emoji, under Helvetica everything beyond Latin-1)
         * becomes '?'. PDFBox throws on either, which lost the report and every report after it.
         */
        String clean(String s) {
            if (s == null) {
                return "";
            }
            String t = s.replace('\u00b1', '+');
            StringBuilder b = new StringBuilder();
            t.codePoints().forEach(cp -> {
                if (Character.isISOControl(cp)) {
                    b.append(' ');
                } else if (latin1Only ? cp >= 32 && cp < 127 || cp >= 160 && cp < 256 : drawable(cp)) {
                    b.appendCodePoint(cp);
                } else {
                    b.append('?');
                }
            });
            return b.toString();
        }

        private boolean drawable(int cp) {
            String c = new String(Character.toChars(cp));
            try {
                regular.encode(c);
                bold.encode(c);
                return true;
            } catch (IOException | IllegalArgumentException e) {
                return false;
            }
        }
    }

    private static void firstPage(PDDocument doc, VideoReport r, Fonts f) throws IOException {
        PDPage page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        Verdict v = r.verdict();
        float width = page.getMediaBox().getWidth() - 2 * MARGIN;
        float y = page.getMediaBox().getHeight() - MARGIN;
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
            y = text(cs, f.bold(), 18, MARGIN, y, "lipsync-guard report");
            for (String line : wrap(f.clean(v.videoId()), f.regular(), 9, width - 180)) {
                y = text(cs, f.regular(), 9, MARGIN, y, line);
            }
            y -= 10;
            String label = v.kind() == VerdictKind.ERROR ? "ERROR" : String.valueOf(v.verdict());
            String badge = String.format(Locale.ROOT, "%s  confidence %.2f%s", label, v.confidence(),
                    v.risk() == null ? "" : "  " + v.risk() + " risk");
            cs.setNonStrokingColor(Color.decode(HtmlReport.badgeColour(v)));
            cs.addRect(MARGIN, y - 26, f.bold().getStringWidth(badge) / 1000 * 16 + 24, 30);
            cs.fill();
            cs.setNonStrokingColor(Color.WHITE);
            text(cs, f.bold(), 16, MARGIN + 12, y - 4, badge);
            cs.setNonStrokingColor(Color.BLACK);
            if (r.thumbnail() != null) {
                PDImageXObject img = PDImageXObject.createFromByteArray(doc, r.thumbnail(), "thumbnail");
                cs.drawImage(img, MARGIN + width - 140, page.getMediaBox().getHeight() - MARGIN - 140, 140, 140);
            }
            y -= 60;
            if (r.thumbnail() != null) {
                y = Math.min(y, page.getMediaBox().getHeight() - MARGIN - 150); // text starts below the thumbnail
            }
            y = text(cs, f.bold(), 13, MARGIN, y, "Explanation");
            for (String line : wrap(f.clean(v.explanation()), f.regular(), 10, width)) {
                y = text(cs, f.regular(), 10, MARGIN, y, line);
            }
            y -= 10;
            y = text(cs, f.bold(), 13, MARGIN, y, "Metrics");
            for (String[] row : r.metrics()) {
                text(cs, f.bold(), 10, MARGIN, y, f.clean(row[0]));
                List<String> value = wrap(f.clean(row[1]), f.regular(), 10, width - 140);
                for (String line : value) {
                    y = text(cs, f.regular(), 10, MARGIN + 140, y, line);
                }
            }
            y -= 10;
            y = text(cs, f.bold(), 13, MARGIN, y, "Suspicious segments");
            if (r.segments().isEmpty()) {
                text(cs, f.regular(), 10, MARGIN, y, "None.");
            }
            for (String s : r.segments().subList(0, Math.min(r.segments().size(), 12))) {
                y = text(cs, f.regular(), 10, MARGIN, y, "- " + f.clean(s));
            }
            if (r.segments().size() > 12) {
                text(cs, f.regular(), 10, MARGIN, y, "... and " + (r.segments().size() - 12) + " more (see the HTML)");
            }
        }
    }

    private static void chartsPage(PDDocument doc, VideoReport r, Fonts f) throws IOException {
        PDPage page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        float width = page.getMediaBox().getWidth() - 2 * MARGIN;
        float y = page.getMediaBox().getHeight() - MARGIN;
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
            y = text(cs, f.bold(), 13, MARGIN, y, "Timeline");
            for (byte[][] chart : new byte[][][] {{r.heatmap()}, {r.scoreCurve()}, {r.offsetCurve()}}) {
                PDImageXObject img = PDImageXObject.createFromByteArray(doc, chart[0], "chart");
                float h = width * img.getHeight() / img.getWidth();
                y -= h + 8;
                cs.drawImage(img, MARGIN, y, width, h);
            }
        }
    }

    private static float text(PDPageContentStream cs, PDFont font, float size, float x, float y, String s)
            throws IOException {
        cs.beginText();
        cs.setFont(font, size);
        cs.newLineAtOffset(x, y - size);
        cs.showText(s);
        cs.endText();
        return y - size * 1.4f;
    }

    /** Greedy word wrap to a width in points. */
    static List<String> wrap(String text, PDFont font, float size, float width) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (line.isEmpty() || font.getStringWidth(candidate) / 1000 * size <= width) {
                line.setLength(0);
                line.append(candidate);
            } else {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
