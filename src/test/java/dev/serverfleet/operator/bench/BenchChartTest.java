package dev.serverfleet.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchChartTest {
  private static final String CHART =
      """
      {"title": "cold start", "xLabel": "seconds since the apply", "yLabel": "instances running",
       "series": [{"name": "operator", "points": [[0, 0], [10, 50], [20, 100]]},
                  {"name": "floor (SDK v2)", "points": [[0, 0], [5, 80], [20, 80]]}]}
      """;

  @Test
  void drawsEachSeriesAsAStepLineOnAxesFromZero(@TempDir Path dir) throws IOException {
    Path json = dir.resolve("chart.json");
    Path png = dir.resolve("chart.png");
    Files.writeString(json, CHART);

    BenchChart.main(new String[] {"--in", json.toString(), "--out", png.toString()});

    assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1000);
    assertThat(image.getHeight()).isEqualTo(600);
    assertThat(new Color(image.getRGB(5, 595))).isEqualTo(Color.WHITE);
    // x axis 0..20 over pixels 90..970, y axis 0..100 over pixels 530..50. At x = 15 the
    // operator holds 50 (pixel row 290) and the floor 80 (row 146).
    assertThat(new Color(image.getRGB(750, 290))).isEqualTo(BenchChart.PALETTE[0]);
    assertThat(new Color(image.getRGB(750, 146))).isEqualTo(BenchChart.PALETTE[1]);
    assertThat(count(image, BenchChart.PALETTE[0])).isGreaterThan(500);
    assertThat(count(image, BenchChart.PALETTE[1])).isGreaterThan(500);
  }

  private static int count(BufferedImage image, Color color) {
    int n = 0;
    for (int x = BenchChart.LEFT; x < image.getWidth() - BenchChart.RIGHT; x++) {
      for (int y = BenchChart.TOP; y < image.getHeight() - BenchChart.BOTTOM; y++) {
        n += image.getRGB(x, y) == color.getRGB() ? 1 : 0;
      }
    }
    return n;
  }
}
