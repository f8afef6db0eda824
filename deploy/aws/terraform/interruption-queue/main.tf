# The interruption queue of serverfleet-operator: an SQS queue that four EventBridge rules fill
# with the EC2 events the operator acts on (same patterns as ../../interruption-queue.cfn.yaml).
#
#   module "serverfleet_interruptions" {
#     source = "./deploy/aws/terraform/interruption-queue"
#   }
#   # --interruption-queue = module.serverfleet_interruptions.queue_url

locals {
  rules = {
    spot-interruption = {
      description = "EC2 Spot Instance Interruption Warning -> serverfleet-operator"
      pattern = {
        source      = ["aws.ec2"]
        detail-type = ["EC2 Spot Instance Interruption Warning"]
      }
    }
    rebalance-recommendation = {
      description = "EC2 Instance Rebalance Recommendation -> serverfleet-operator"
      pattern = {
        source      = ["aws.ec2"]
        detail-type = ["EC2 Instance Rebalance Recommendation"]
      }
    }
    scheduled-change = {
      description = "AWS Health scheduled changes for EC2 (retirement, maintenance) -> serverfleet-operator"
      pattern = {
        source      = ["aws.health"]
        detail-type = ["AWS Health Event"]
        detail = {
          service           = ["EC2"]
          eventTypeCategory = ["scheduledChange"]
        }
      }
    }
    state-change = {
      description = "EC2 Instance State-change Notification -> serverfleet-operator"
      pattern = {
        source      = ["aws.ec2"]
        detail-type = ["EC2 Instance State-change Notification"]
      }
    }
  }
}

resource "aws_sqs_queue" "interruptions" {
  name                      = var.queue_name
  message_retention_seconds = var.message_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each      = local.rules
  name          = "${var.queue_name}-${each.key}"
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each  = local.rules
  rule      = aws_cloudwatch_event_rule.this[each.key].name
  target_id = "serverfleet-interruption-queue"
  arn       = aws_sqs_queue.interruptions.arn
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "EventBridgeRulesSendMessage"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.interruptions.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for r in aws_cloudwatch_event_rule.this : r.arn]
    }
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.interruptions.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "interruptions" {
  queue_url = aws_sqs_queue.interruptions.id
  policy    = data.aws_iam_policy_document.queue.json
}
