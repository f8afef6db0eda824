package dev.serverfleet.operator.selection;

import dev.serverfleet.operator.cloud.LaunchLookups.Image;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Which of the images a selector matched a fleet launches: the newest by CreationDate, as Karpenter
 * and the Auto Scaling console pick. Images created in the same second (EC2 dates have second
 * precision) are told apart by name, then by ID, both the greater winning, so that every replica of
 * the operator and every refresh picks the same one: a version in the name ({@code web-1.10} after
 * {@code web-1.9} sorts lexically only with padding, so say it with dates). An image without a date
 * counts as the oldest.
 */
public final class ImageChoice {
  static final Comparator<Image> NEWEST_LAST =
      Comparator.comparing((Image i) -> Objects.requireNonNullElse(i.created(), Instant.MIN))
          .thenComparing(i -> Objects.requireNonNullElse(i.name(), ""))
          .thenComparing(Image::id);

  private ImageChoice() {}

  public static Optional<Image> newest(Collection<Image> images) {
    return images.stream().max(NEWEST_LAST);
  }
}
