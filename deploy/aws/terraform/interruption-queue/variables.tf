variable "queue_name" {
  description = "Name of the SQS queue (and prefix of the EventBridge rules)"
  type        = string
  default     = "serverfleet-interruptions"
}

variable "message_retention_seconds" {
  description = "How long an unconsumed event is kept: spot warnings are stale after two minutes; five minutes covers an operator restart"
  type        = number
  default     = 300
  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be within 60..1209600."
  }
}

variable "tags" {
  description = "Tags for the queue and the rules"
  type        = map(string)
  default     = {}
}
