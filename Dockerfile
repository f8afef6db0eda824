# syntax=docker/dockerfile:1
# The operator image: the shaded jar on a distroless Java 17 runtime, as user 65532, no shell.
#
#   docker build -t serverfleet-operator:dev .
#   docker run --rm serverfleet-operator:dev --help
#
# The same image without Docker: mvn -Pjib -DskipTests package jib:build -Dimage=REGISTRY/serverfleet-operator:TAG

# --- build: the same `mvn package` as on a developer's machine (tests run in CI, not here) ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so that a source change reuses this layer (and the BuildKit cache of ~/.m2).
COPY pom.xml ./
# Best effort: go-offline misses some plugin dependencies; the package step fetches the rest.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests dependency:go-offline || true
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package \
 && cp target/serverfleet-operator.jar /serverfleet-operator.jar

# --- run: JRE 17 only; distroless has no shell and no package manager ---
FROM gcr.io/distroless/java17-debian12:nonroot
LABEL org.opencontainers.image.title="serverfleet-operator" \
      org.opencontainers.image.description="Kubernetes operator that keeps fleets of EC2 instances equal to a ServerFleet resource"
COPY --from=build --chown=0:0 --chmod=0444 /serverfleet-operator.jar /app/serverfleet-operator.jar
# JVM options (README "Memory and start-up"), read by the java launcher only; the Helm chart's
# jvm.options replaces them (same default value).
ENV JDK_JAVA_OPTIONS="-XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:TieredStopAtLevel=1"
# AppCDS: a training run (CdsTraining: the start-up path against endpoints that refuse, no cluster,
# no AWS) archives the classes a start loads, so that the operator maps them instead of loading and
# verifying them again. Made here because an archive fits only the JVM build that wrote it; as root,
# so that /app stays read-only to the operator.
USER 0:0
RUN ["java", "-XX:ArchiveClassesAtExit=/app/serverfleet-operator.jsa", "-XX:-UsePerfData", \
     "-cp", "/app/serverfleet-operator.jar", "dev.serverfleet.operator.runtime.CdsTraining"]
# Numeric, so that Kubernetes can verify runAsNonRoot (Pod Security "restricted").
USER 65532:65532
WORKDIR /app
# /metrics (Prometheus), /healthz, /readyz
EXPOSE 8080
# A missing or unusable archive costs start-up time only (-Xshare:auto, the default).
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/serverfleet-operator.jsa", "-jar", "/app/serverfleet-operator.jar"]
