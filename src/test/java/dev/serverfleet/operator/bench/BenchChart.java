package dev.serverfleet.operator.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws the bench's cold-start chart (instances running over time, operator vs floor) as a 1000x600
 * PNG with Java2D, headless: {@code BenchChart --in FILE.json --out FILE.png}. The input is {@code
 * {"title", "xLabel", "yLabel", "series": [{"name", "points": [[x, y], ...]}]}}; each series is
 * drawn as a step line (a count holds until the next point), both axes from 0.
 */
public final class BenchChart {
  static final int WIDTH = 1000;
  static final int HEIGHT = 600;
  static final int LEFT = 90;
  static final int RIGHT = 30;
  static final int TOP = 50;
  static final int BOTTOM = 70;
  static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };

  /** The input file. */
  record Chart(String title, String xLabel, String yLabel, List<Series> series) {}

  /** One line: its legend name and its points, {x, y}, in x order. */
  record Series(String name, List<double[]> points) {}

  private final Chart chart;
  private final ChartAxis x;
  private final ChartAxis y;
  private Graphics2D g;

  private BenchChart(Chart chart) {
    this.chart = chart;
    this.x = ChartAxis.upTo(max(chart, 0));
    this.y = ChartAxis.upTo(max(chart, 1));
  }

  public static void main(String[] argv) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (argv.length != 4 || !argv[0].equals("--in") || !argv[2].equals("--out")) {
      throw new IllegalArgumentException("usage: BenchChart --in FILE.json --out FILE.png");
    }
    Chart chart =
        new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .readValue(new File(argv[1]), Chart.class);
    ImageIO.write(new BenchChart(chart).render(), "png", new File(argv[3]));
  }

  BufferedImage render() {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      drawAxes();
      for (int i = 0; i < chart.series().size(); i++) {
        drawSeries(chart.series().get(i), PALETTE[i % PALETTE.length]);
      }
      drawLegend();
      return image;
    } finally {
      g.dispose();
    }
  }

  private void drawAxes() {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    for (double tick : x.ticks()) {
      int px = px(tick);
      line(new Color(0xe6e6e6), px, TOP, px, HEIGHT - BOTTOM);
      g.setColor(Color.DARK_GRAY);
      centred(x.label(tick), px, HEIGHT - BOTTOM + 20);
    }
    for (double tick : y.ticks()) {
      int py = py(tick);
      line(new Color(0xe6e6e6), LEFT, py, WIDTH - RIGHT, py);
      g.setColor(Color.DARK_GRAY);
      String label = y.label(tick);
      g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 5);
    }
    line(Color.BLACK, LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    line(Color.BLACK, LEFT, TOP, LEFT, HEIGHT - BOTTOM);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    centred(chart.xLabel(), (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 20);
    AffineTransform unrotated = g.getTransform();
    g.rotate(-Math.PI / 2);
    centred(chart.yLabel(), -(TOP + HEIGHT - BOTTOM) / 2, 25);
    g.setTransform(unrotated);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    centred(chart.title(), WIDTH / 2, 30);
  }

  private void drawSeries(Series series, Color color) {
    if (series.points().isEmpty()) {
      return;
    }
    Path2D.Double path = new Path2D.Double();
    double[] first = series.points().get(0);
    path.moveTo(px(first[0]), py(first[1]));
    double lastY = first[1];
    for (double[] p : series.points()) {
      path.lineTo(px(p[0]), py(lastY));
      path.lineTo(px(p[0]), py(p[1]));
      lastY = p[1];
    }
    g.setColor(color);
    g.setStroke(new BasicStroke(2.5f));
    g.draw(path);
    g.setStroke(new BasicStroke(1));
  }

  private void drawLegend() {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    int top = TOP + 15;
    for (int i = 0; i < chart.series().size(); i++) {
      int rowY = top + i * 22;
      g.setColor(PALETTE[i % PALETTE.length]);
      g.fillRect(LEFT + 15, rowY - 6, 24, 5);
      g.setColor(Color.BLACK);
      g.drawString(chart.series().get(i).name(), LEFT + 47, rowY);
    }
  }

  private void line(Color color, int x1, int y1, int x2, int y2) {
    g.setColor(color);
    g.drawLine(x1, y1, x2, y2);
  }

  private void centred(String text, int cx, int baseline) {
    g.drawString(text, cx - g.getFontMetrics().stringWidth(text) / 2, baseline);
  }

  private int px(double value) {
    return LEFT + (int) Math.round(value / x.max() * (WIDTH - LEFT - RIGHT));
  }

  private int py(double value) {
    return HEIGHT - BOTTOM - (int) Math.round(value / y.max() * (HEIGHT - TOP - BOTTOM));
  }

  private static double max(Chart chart, int coordinate) {
    return chart.series().stream()
        .flatMap(s -> s.points().stream())
        .mapToDouble(p -> p[coordinate])
        .max()
        .orElse(0);
  }
}
