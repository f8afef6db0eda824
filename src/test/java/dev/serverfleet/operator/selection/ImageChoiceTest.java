package dev.serverfleet.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.cloud.LaunchLookups.Image;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which matched image a selector picks: the newest, ties broken the same way every time. */
class ImageChoiceTest {
  private static final Instant T = Instant.parse("2025-06-01T10:00:00Z");

  /** {@code id:name:secondsAfterT} per image ({@code -} for no date); the expected winner. */
  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "newest wins                  | ami-1:web-a:0 ami-2:web-b:60 ami-3:web-c:30 | ami-2",
        "newest wins whatever its name | ami-1:web-z:0 ami-2:web-a:1                  | ami-2",
        "same second: greater name     | ami-1:web-1:5 ami-2:web-2:5                  | ami-2",
        "same second and name: greater id | ami-9:web:5 ami-3:web:5                   | ami-9",
        "no date counts as the oldest  | ami-1:web-z:- ami-2:web-a:0                  | ami-2",
        "only undated: greater name    | ami-1:web-a:- ami-2:web-b:-                  | ami-2",
        "one image                     | ami-7:web:0                                  | ami-7",
      })
  void picksTheNewest(String why, String images, String winner) {
    List<Image> parsed =
        Arrays.stream(images.trim().split(" ")).map(ImageChoiceTest::image).toList();
    assertThat(ImageChoice.newest(parsed)).map(Image::id).contains(winner);
    List<Image> reversed = new ArrayList<>(parsed);
    Collections.reverse(reversed);
    assertThat(ImageChoice.newest(reversed))
        .as("order of the answer does not matter")
        .map(Image::id)
        .contains(winner);
  }

  @org.junit.jupiter.api.Test
  void nothingMatchedIsNoChoice() {
    assertThat(ImageChoice.newest(List.of())).isEmpty();
  }

  private static Image image(String spec) {
    String[] p = spec.split(":");
    return new Image(p[0], p[1], p[2].equals("-") ? null : T.plusSeconds(Long.parseLong(p[2])));
  }
}
