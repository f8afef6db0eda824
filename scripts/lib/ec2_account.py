"""EC2's account token buckets, as the bench proxy enforces them (standard library only).

Written from AWS's "Request throttling for the Amazon EC2 API" (default limits per account and
Region), independently of the operator's client-side buckets (cloud/Ec2RateLimits), so that a
mistake in those shows here. Like the Java test proxy (testing/AccountLimits):
  - request buckets: RunInstances 5 burst / 2 per s, TerminateInstances 100 / 5, CreateTags and
    DeleteTags 100 / 10 each, and every other action (the describes) one bucket of 100 / 20;
  - RunInstances' resource bucket: 1,000 instances refilled at 2 per s, a call taking MaxCount;
  - a call that finds a bucket it needs short is refused and takes nothing from any bucket.
Not modelled: TerminateInstances' resource bucket and the other actions' own buckets, which
nothing in the bench comes near.
"""

import threading
import time
import uuid

REQUEST_LIMITS = {  # action -> (capacity, refill per second)
    "RunInstances": (5.0, 2.0),
    "TerminateInstances": (100.0, 5.0),
    "CreateTags": (100.0, 10.0),
    "DeleteTags": (100.0, 10.0),
}
NON_MUTATING = (100.0, 20.0)
RUN_INSTANCES_RESOURCE = (1000.0, 2.0)

# What EC2 answers (HTTP 503), in the EC2 query protocol's error shape: botocore's EC2 parser and
# the AWS SDK v2's EC2 protocol read Response/Errors/Error/Code, and both treat this code as a
# throttle (retried with back-off; the SDK v2's adaptive mode slows down on it).
THROTTLED_STATUS = 503
THROTTLED_BODY = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                  "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
                  "</Error></Errors><RequestID>{}</RequestID></Response>")


def throttled_body():
    return THROTTLED_BODY.format(uuid.uuid4()).encode()


class Bucket:
    def __init__(self, capacity, refill, now):
        self.capacity, self.refill = capacity, refill
        self.tokens, self.at = capacity, now

    def level(self, now):
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.refill)
        self.at = now
        return self.tokens


class Account:
    """One account's buckets, shared by every listening port of the proxy."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.buckets = {}

    def _bucket(self, key, limit, now):
        b = self.buckets.get(key)
        if b is None:
            b = self.buckets[key] = Bucket(limit[0], limit[1], now)
        return b

    def admit(self, action, params):
        """True when the account has the tokens for this call now (and takes them)."""
        with self.lock:
            now = self.clock()
            limit = REQUEST_LIMITS.get(action, NON_MUTATING)
            need = [(self._bucket(action if action in REQUEST_LIMITS else "*", limit, now), 1.0)]
            if action == "RunInstances":
                try:
                    count = float(params.get("MaxCount") or params.get("MinCount") or 1)
                except ValueError:
                    count = 1.0
                need.append((self._bucket("RunInstances/instances", RUN_INSTANCES_RESOURCE, now), count))
            if any(b.level(now) < n for b, n in need):
                return False
            for b, n in need:
                b.tokens -= n
            return True
