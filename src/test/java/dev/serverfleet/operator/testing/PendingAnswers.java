package dev.serverfleet.operator.testing;

import java.util.function.Predicate;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The pending state moto lacks (it launches straight into running), for {@link
 * Ec2FaultProxy#reportPending}: in a DescribeInstances answer, a running instance that is still
 * young is shown as pending ({@code instanceState} code 0, name {@code pending}), as EC2 shows an
 * instance that is booting.
 */
final class PendingAnswers {
  private PendingAnswers() {}

  /** The answer with young running instances pending; {@code body} itself when none is. */
  static byte[] pendingWhile(byte[] body, Predicate<String> young) {
    Document doc = Ec2Wire.parse(body);
    boolean changed = false;
    for (Element reservation :
        Ec2Wire.children(doc.getDocumentElement(), "reservationSet", "item")) {
      for (Element item : Ec2Wire.children(reservation, "instancesSet", "item")) {
        for (Element state : Ec2Wire.children(item, "instanceState")) {
          if (young.test(Ec2Wire.text(item, "instanceId"))
              && "running".equals(Ec2Wire.text(state, "name"))) {
            Ec2Wire.children(state, "code").forEach(e -> e.setTextContent("0"));
            Ec2Wire.children(state, "name").forEach(e -> e.setTextContent("pending"));
            changed = true;
          }
        }
      }
    }
    return changed ? Ec2Wire.serialize(doc) : body;
  }
}
