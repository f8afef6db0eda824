package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.YamlDumpSettingsBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A build step: puts the printer columns of the generated CRD in the order {@link ServerFleet}
 * declares its {@code @AdditionalPrinterColumn}s, which is the order {@code kubectl get sf} prints.
 *
 * <p>The fabric8 crd-generator (7.5.2) collects printer columns in a map sorted by JSON path
 * ({@code AbstractCustomResourceHandler.handlePrinterColumns}) and its Maven plugin offers no way
 * to change that ({@code CRDGenerator.withPostProcessor} is not reachable from the plugin). So the
 * build runs this right after the generator, on the file it wrote (exec-maven-plugin, phase {@code
 * process-classes}): {@code mvn package} alone still produces the committed CRD, and the
 * annotations stay the one source. Only the order changes; the build fails when the file's columns
 * are not exactly the declared ones. The YAML is written back with the generator's own serializer
 * settings, so every other line stays as the generator wrote it.
 */
public final class PrinterColumnOrder {
  /**
   * What the crd-generator's serializer uses (ResolvingContext.defaultResolvingContext, quotes not
   * minimized).
   */
  private static final KubernetesSerialization GENERATOR_YAML =
      new KubernetesSerialization(new ObjectMapper(), false, new YamlDumpSettingsBuilder().build());

  private static final String DOCUMENT_START = "---\n";

  private PrinterColumnOrder() {}

  /**
   * {@code PrinterColumnOrder <generated CRD file>}: rewrites the file in place when the order
   * differs.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException(
          "usage: PrinterColumnOrder <generated CRD file of ServerFleet>");
    }
    Path file = Path.of(args[0]);
    String generated = Files.readString(file);
    String ordered =
        reorder(
            generated,
            List.of(ServerFleet.class.getAnnotationsByType(AdditionalPrinterColumn.class)));
    if (!ordered.equals(generated)) {
      Files.writeString(file, ordered);
    }
  }

  /**
   * The generated CRD with the printer columns of every version in the declared order; comment
   * lines before the document (the generator's header) are kept.
   *
   * @throws IllegalStateException when a version's columns are not exactly the declared ones (by
   *     JSON path)
   */
  static String reorder(String generatedYaml, List<AdditionalPrinterColumn> declared) {
    int body = 0;
    while (generatedYaml.startsWith("#", body)) {
      body = generatedYaml.indexOf('\n', body) + 1;
    }
    String header = generatedYaml.substring(0, body);
    CustomResourceDefinition crd =
        GENERATOR_YAML.unmarshal(generatedYaml.substring(body), CustomResourceDefinition.class);

    List<String> order = declared.stream().map(AdditionalPrinterColumn::jsonPath).toList();
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      Map<String, CustomResourceColumnDefinition> byPath =
          version.getAdditionalPrinterColumns().stream()
              .collect(
                  Collectors.toMap(
                      CustomResourceColumnDefinition::getJsonPath, Function.identity()));
      if (!byPath.keySet().equals(Set.copyOf(order)) || order.size() != byPath.size()) {
        throw new IllegalStateException(
            "printer columns of "
                + crd.getMetadata().getName()
                + " "
                + version.getName()
                + " are "
                + byPath.keySet()
                + ", but ServerFleet declares "
                + order);
      }
      List<CustomResourceColumnDefinition> sorted = new ArrayList<>();
      order.forEach(path -> sorted.add(byPath.get(path)));
      version.setAdditionalPrinterColumns(sorted);
    }

    String yaml = GENERATOR_YAML.asYaml(crd);
    // the generator strips the explicit document start, so do we
    return header
        + (yaml.startsWith(DOCUMENT_START) ? yaml.substring(DOCUMENT_START.length()) : yaml);
  }
}
