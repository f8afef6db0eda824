package dev.serverfleet.operator.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link Ec2Floor}'s command line: {@code --name value} pairs. */
record FloorArgs(
    String endpoint,
    String region,
    String scenario,
    int fleets,
    int replicas,
    List<String> subnets,
    String group,
    String ami,
    String newAmi,
    String instanceType,
    String out) {

  static final String USAGE =
      "Ec2Floor --endpoint URL --region us-east-1 --scenario cold|scale|rollout --fleets F"
          + " --replicas R --subnets subnet-a,subnet-b --security-group sg-x --ami ami-old"
          + " [--new-ami ami-new] [--instance-type t3.micro] --out FILE.json";

  static FloorArgs parse(String[] argv) {
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < argv.length; i += 2) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value at '" + argv[i] + "'; " + USAGE);
      }
      given.put(argv[i].substring(2), argv[i + 1]);
    }
    FloorArgs args =
        new FloorArgs(
            required(given, "endpoint"),
            given.getOrDefault("region", "us-east-1"),
            required(given, "scenario"),
            Integer.parseInt(required(given, "fleets")),
            Integer.parseInt(required(given, "replicas")),
            List.of(required(given, "subnets").split(",")),
            required(given, "security-group"),
            required(given, "ami"),
            given.get("new-ami"),
            given.getOrDefault("instance-type", "t3.micro"),
            required(given, "out"));
    if (args.scenario().equals("rollout") && args.newAmi() == null) {
      throw new IllegalArgumentException("--scenario rollout needs --new-ami; " + USAGE);
    }
    return args;
  }

  private static String required(Map<String, String> given, String name) {
    String value = given.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required; " + USAGE);
    }
    return value;
  }
}
