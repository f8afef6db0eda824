"""What examples/production-web-fleet.yaml needs in moto, for `scripts/demo production`.

    python3 demo_load_balancer.py MOTO_URL

Tags the demo's subnets (given on stdin's first line: the subnet IDs, then the security group, as
ensure_network in scripts/demo prints them) and security group with the example's selector tags,
creates (or finds) the target group `serverfleet-demo-web` with a 30 s deregistration delay behind
an internet-facing ALB with an HTTP:80 listener, and prints the target group's ARN. Idempotent:
what moto already holds is reused.
"""

import sys

import boto3

NAME = "serverfleet-demo-web"
# The tags examples/production-web-fleet.yaml selects its subnets and security groups by.
SELECTOR_TAGS = [
    {"Key": "serverfleet.dev/example", "Value": "production-web"},
    {"Key": "tier", "Value": "web"},
]
DEREGISTRATION_DELAY_SECONDS = "30"


def clients(url):
    kw = dict(endpoint_url=url, region_name="us-east-1",
              aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.client("ec2", **kw), boto3.client("elbv2", **kw)


def target_group(elb, vpc):
    try:
        return elb.describe_target_groups(Names=[NAME])["TargetGroups"][0]["TargetGroupArn"]
    except elb.exceptions.TargetGroupNotFoundException:
        pass
    arn = elb.create_target_group(
        Name=NAME, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance",
        HealthCheckPath="/", Tags=[{"Key": "Name", "Value": NAME}])["TargetGroups"][0]["TargetGroupArn"]
    elb.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": DEREGISTRATION_DELAY_SECONDS}])
    print(f"created target group {arn}", file=sys.stderr)
    return arn


def load_balancer(elb, subnets, sg, tg_arn):
    try:
        elb.describe_load_balancers(Names=[NAME])
        return
    except elb.exceptions.LoadBalancerNotFoundException:
        pass
    lb = elb.create_load_balancer(Name=NAME, Subnets=subnets, SecurityGroups=[sg],
                                  Scheme="internet-facing", Type="application")["LoadBalancers"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}])
    print(f"created load balancer {lb['DNSName']} (HTTP:80 -> {NAME})", file=sys.stderr)


def main():
    ec2, elb = clients(sys.argv[1])
    *subnets, sg = sys.stdin.readline().split()
    ec2.create_tags(Resources=subnets + [sg], Tags=SELECTOR_TAGS)
    vpc = ec2.describe_subnets(SubnetIds=subnets[:1])["Subnets"][0]["VpcId"]
    arn = target_group(elb, vpc)
    load_balancer(elb, subnets, sg, arn)
    print(arn)


if __name__ == "__main__":
    main()
