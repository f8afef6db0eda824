output "queue_url" {
  description = "Pass as --interruption-queue (Helm value interruptionQueue)"
  value       = aws_sqs_queue.interruptions.id
}

output "queue_arn" {
  description = "The operator's IAM policy allows sqs:ReceiveMessage, DeleteMessage, GetQueueAttributes on it"
  value       = aws_sqs_queue.interruptions.arn
}

output "rule_arns" {
  description = "The four EventBridge rules feeding the queue"
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}
