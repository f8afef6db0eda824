"""Lints an IAM policy with parliament (https://pypi.org/project/parliament/).

    python iam_lint.py POLICY.json

Prints every finding of MEDIUM severity or worse (malformed JSON, unknown condition operators
or condition keys, invalid ARNs, ...; unknown actions are raised to MEDIUM) and exits 1 when there is one, 0 when none.

One finding is settled here instead of silenced: RESOURCE_MISMATCH says a statement lacks a
resource type an action needs. ec2:RunInstances is granted by two statements (one with the
request-tag condition on instance/volume, one for subnet, image, security group ...), as AWS's
own examples do, so each of them alone lacks the other's types. Such a finding is dropped only
when, for every (action, resource type) it names, another Allow statement of the same policy
grants that action on a resource of that type.
"""

import json
import sys

from parliament import analyze_policy_string, config, enhance_finding, is_arn_match
from parliament.cli import is_finding_filtered

# parliament rates a misspelt action or service prefix LOW; here it fails the lint like a
# misspelt condition key (MEDIUM): the operator's call would be denied in production.
for issue in ("UNKNOWN_ACTION", "UNKNOWN_PREFIX"):
    config[issue]["severity"] = "MEDIUM"


def as_list(value):
    return value if isinstance(value, list) else [value]


def covered_elsewhere(policy, mismatch):
    for need in mismatch:
        action, arn_format = need["action"], need["required_format"]
        resource_type = arn_format.split(":")[-1].split("/")[0]
        if not any(
            s.get("Effect") == "Allow"
            and action in as_list(s.get("Action", []))
            and any(is_arn_match(resource_type, arn_format, r) for r in as_list(s.get("Resource", [])))
            for s in policy["Statement"]
        ):
            return False
    return True


def main(path):
    with open(path) as f:
        text = f.read()
    found = analyze_policy_string(text, path).findings
    policy = None
    failures = []
    for finding in found:
        finding = enhance_finding(finding)
        if is_finding_filtered(finding, "MEDIUM"):
            continue
        if finding.issue == "RESOURCE_MISMATCH":
            policy = policy or json.loads(text)
            if covered_elsewhere(policy, finding.detail):
                continue
        failures.append(finding)
    for f in failures:
        print(f"{f.severity} {f.issue}: {f.title}: {f.detail} at {f.location}")
    print(f"parliament: {path}: {len(failures)} finding(s) of MEDIUM severity or worse")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
