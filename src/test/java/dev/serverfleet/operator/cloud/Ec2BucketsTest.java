package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.cloud.Ec2Buckets.Bucket;
import dev.serverfleet.operator.cloud.Ec2Buckets.Limit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The --ec2-rate-limits value: true, false, or an account's limits class by class. */
class Ec2BucketsTest {

  @Test
  void ec2sDocumentedDefaults() {
    assertThat(Ec2Buckets.EC2_DEFAULTS.limits())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                Bucket.DESCRIBE, new Limit(100, 20),
                Bucket.RUN, new Limit(5, 2),
                Bucket.RUN_INSTANCES, new Limit(1000, 2),
                Bucket.TERMINATE, new Limit(100, 5),
                Bucket.TAGS, new Limit(100, 10)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", " True "})
  void trueIsEc2sDefaults(String value) {
    assertThat(Ec2Buckets.parse(value)).contains(Ec2Buckets.EC2_DEFAULTS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "FALSE"})
  void falseTurnsThemOff(String value) {
    assertThat(Ec2Buckets.parse(value)).isEmpty();
  }

  @Test
  void aListOverridesTheClassesItNamesAndKeepsTheOthers() {
    Ec2Buckets sizes = Ec2Buckets.parse(" run-instances = 2000/4.5 , TAGS=50/1 ").orElseThrow();
    assertThat(sizes.of(Bucket.RUN_INSTANCES)).isEqualTo(new Limit(2000, 4.5));
    assertThat(sizes.of(Bucket.TAGS)).isEqualTo(new Limit(50, 1));
    assertThat(sizes.of(Bucket.RUN)).isEqualTo(new Limit(5, 2));
    assertThat(sizes.of(Bucket.DESCRIBE)).isEqualTo(new Limit(100, 20));
  }

  @ParameterizedTest
  @ValueSource(strings = {"share=0.5", "share=1/2", " SHARE = 1 / 2 "})
  void aShareScalesEveryBucketOfEc2sDefaults(String value) {
    assertThat(Ec2Buckets.parse(value).orElseThrow())
        .hasToString("describe=50/10,run=2/1,run-instances=500/1,terminate=50/2.5,tags=50/5");
  }

  @Test
  void aShareScalesTheSizesListedWithItTooAndKeepsABurstOfAtLeastOne() {
    assertThat(Ec2Buckets.parse("run-instances=2000/4,share=1/4").orElseThrow())
        .hasToString("describe=25/5,run=1/0.5,run-instances=500/1,terminate=25/1.25,tags=25/2.5");
    assertThat(Ec2Buckets.parse("share=0.01").orElseThrow().of(Bucket.RUN))
        .isEqualTo(new Limit(1, 0.02));
    assertThat(Ec2Buckets.parse("share=1")).contains(Ec2Buckets.EC2_DEFAULTS);
  }

  @Test
  void theFlagsFormReadsBackAsItself() {
    assertThat(Ec2Buckets.EC2_DEFAULTS)
        .hasToString("describe=100/20,run=5/2,run-instances=1000/2,terminate=100/5,tags=100/10");
    Ec2Buckets odd = Ec2Buckets.parse("run=7/0.5").orElseThrow();
    assertThat(Ec2Buckets.parse(odd.toString())).contains(odd);
    assertThat(Ec2Buckets.parse(Ec2Buckets.EC2_DEFAULTS.toString()))
        .contains(Ec2Buckets.EC2_DEFAULTS);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|'' is not class=burst/refill",
        "yes|'yes' is not class=burst/refill",
        "run=5/2,|'' is not class=burst/refill",
        "run|'run' is not class=burst/refill",
        "runs=5/2|unknown class 'runs'",
        "run=5|'5' is not burst/refill-per-second",
        "run=/2|'/2' is not burst/refill-per-second",
        "run=0/2|'0/2' is not burst/refill-per-second",
        "run=5/0|'5/0' is not burst/refill-per-second",
        "run=5/-1|'5/-1' is not burst/refill-per-second",
        "run=5/NaN|'5/NaN' is not burst/refill-per-second",
        "run=5/Infinity|'5/Infinity' is not burst/refill-per-second",
        "run=5.5/2|'5.5/2' is not burst/refill-per-second",
        "run=5/2/1|'5/2/1' is not burst/refill-per-second",
        "run=5/2,run=6/2|run is given twice",
        "run=5/2=3|'run=5/2=3' is not class=burst/refill",
        "share=0|share '0' is not a fraction above 0 and at most 1",
        "share=-0.5|share '-0.5' is not a fraction above 0 and at most 1",
        "share=1.5|share '1.5' is not a fraction above 0 and at most 1",
        "share=3/2|share '3/2' is not a fraction above 0 and at most 1",
        "share=1/0|share '1/0' is not a fraction above 0 and at most 1",
        "share=half|share 'half' is not a fraction above 0 and at most 1",
        "share=1/2/3|share '1/2/3' is not a fraction above 0 and at most 1",
        "share=NaN|share 'NaN' is not a fraction above 0 and at most 1",
        "share=1/2,share=1/2|share is given twice"
      })
  void aBadValueIsRefusedSayingWhatIsWrongAndWhatIsAccepted(String value, String why) {
    assertThatThrownBy(() -> Ec2Buckets.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ec2-rate-limits must be true, false or a list")
        .hasMessageContaining("describe, run, run-instances, terminate, tags")
        .hasMessageContaining("was '" + value + "': " + why);
  }
}
