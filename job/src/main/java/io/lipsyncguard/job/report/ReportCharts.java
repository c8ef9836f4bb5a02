package io.lipsyncguard.job.report;

import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.Segment;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, drawn with JFreeChart: a timeline heatmap of window scores, the score curve against the
 * threshold and the per-window offset curve, each with the suspicious segments shaded. Pure functions of the windows.
 */
public final class ReportCharts {

    /** Heatmap colour of windows that were not scored (no face, silence, ...). */
    public static final Color UNSCORED = new Color(0xBDBDBD);
    /** Shading of suspicious segments. */
    public static final Color SEGMENT = new Color(229, 57, 53, 60);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ReportCharts() {}

    /** Colour of a window score: green (in sync) through yellow to red (desynchronised). */
    public static Color scoreColour(double score) {
        if (Double.isNaN(score)) {
            return UNSCORED;
        }
        double s = Math.max(0, Math.min(1, score));
        int r = (int) Math.round(s < 0.5 ? 60 + 2 * s * 190 : 250);
        int g = (int) Math.round(s < 0.5 ? 180 + 2 * s * 40 : 220 - 2 * (s - 0.5) * 180);
        return new Color(r, g, 60);
    }

    /** One row of coloured blocks, one per window at its centre, the width of the stride between windows. */
    public static BufferedImage heatmap(List<ScoredWindow> windows, Segment[] segments, int width, int height) {
        double[][] data = new double[3][windows.size()];
        for (int i = 0; i < windows.size(); i++) {
            ScoredWindow w = windows.get(i);
            data[0][i] = (w.startMs() + w.endMs()) / 2000.0;
            data[1][i] = 0;
            data[2][i] = w.isScored() ? w.score() : -1;
        }
        DefaultXYZDataset dataset = new DefaultXYZDataset();
        dataset.addSeries("score", data);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockWidth(strideSeconds(windows));
        renderer.setBlockHeight(1.0);
        LookupPaintScale scale = new LookupPaintScale(-1.0, 1.0001, UNSCORED);
        scale.add(-1.0, UNSCORED);
        for (int i = 0; i <= 20; i++) {
            scale.add(i / 20.0 - 1e-9, scoreColour(i / 20.0));
        }
        renderer.setPaintScale(scale);
        NumberAxis x = new NumberAxis("media time (s)");
        NumberAxis y = new NumberAxis();
        y.setVisible(false);
        y.setRange(-0.5, 0.5);
        XYPlot plot = new XYPlot(dataset, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        markSegments(plot, segments);
        JFreeChart chart = new JFreeChart("Window scores (green: in sync, red: desynchronised, grey: not scored)",
                new Font("SansSerif", Font.BOLD, 13), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart.createBufferedImage(width, height);
    }

    /** Window score over media time with the decision threshold and the uncertain band. */
    public static BufferedImage scoreCurve(List<ScoredWindow> windows, Segment[] segments, double threshold,
            double band, int width, int height) {
        XYSeries series = new XYSeries("window score");
        for (ScoredWindow w : windows) {
            if (w.isScored()) {
                series.add((w.startMs() + w.endMs()) / 2000.0, w.score());
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Window score and threshold", "media time (s)",
                "desync probability", new XYSeriesCollection(series), PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 1);
        plot.addRangeMarker(new IntervalMarker(threshold - band, threshold + band, new Color(255, 193, 7, 50)),
                Layer.BACKGROUND);
        ValueMarker t = new ValueMarker(threshold, new Color(0xC62828), new BasicStroke(2f));
        t.setLabel("threshold " + threshold);
        t.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        t.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(t);
        markSegments(plot, segments);
        style(chart, new Color(0x1565C0));
        return chart.createBufferedImage(width, height);
    }

    /** Each scored window's best lag in ms (positive: audio later than the lips). */
    public static BufferedImage offsetCurve(List<ScoredWindow> windows, Segment[] segments, int fps, int width,
            int height) {
        XYSeries series = new XYSeries("offset");
        for (ScoredWindow w : windows) {
            if (w.isScored()) {
                series.add((w.startMs() + w.endMs()) / 2000.0, w.offsetFrames() * 1000.0 / fps);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Per-window audio offset", "media time (s)",
                "offset (ms, + = audio later)", new XYSeriesCollection(series), PlotOrientation.VERTICAL, false, false,
                false);
        XYPlot plot = chart.getXYPlot();
        plot.addRangeMarker(new ValueMarker(0, Color.DARK_GRAY, new BasicStroke(1f)));
        markSegments(plot, segments);
        style(chart, new Color(0x6A1B9A));
        return chart.createBufferedImage(width, height);
    }

    /** PNG bytes of an image. */
    public static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void markSegments(XYPlot plot, Segment[] segments) {
        if (segments == null) {
            return;
        }
        for (Segment s : segments) {
            plot.addDomainMarker(new IntervalMarker(s.startMs() / 1000.0, s.endMs() / 1000.0, SEGMENT),
                    Layer.BACKGROUND);
        }
    }

    private static void style(JFreeChart chart, Color line) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font("SansSerif", Font.BOLD, 13));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, line);
        r.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(r);
    }

    static double strideSeconds(List<ScoredWindow> windows) {
        if (windows.size() < 2) {
            return windows.isEmpty() ? 1.0 : (windows.get(0).endMs() - windows.get(0).startMs()) / 1000.0;
        }
        return Math.max(0.04, (windows.get(1).startMs() - windows.get(0).startMs()) / 1000.0);
    }
}
