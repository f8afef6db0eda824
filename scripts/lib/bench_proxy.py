"""The logging EC2 proxy of the real-stack benches (standard library only).

  bench_proxy.py --upstream URL --log FILE --listen PORT[=LABEL] [--listen PORT=LABEL ...]
                 [--describe-delay S] [--pending S] [--account-limits]
  bench_proxy.py PORT UPSTREAM LOG [DESCRIBE_DELAY_SECONDS [PENDING_SECONDS]]     (the old form)

An HTTP proxy between the operator (or the floor, bench/Ec2Floor) and moto. It forwards every
request and writes one JSON line per EC2 call to the log: arrival and answer times ("t0", "t1"),
the Action, the HTTP status ("status", and "error" = the error code when it failed), the number of
instance ids the call names ("ids"), "via" = the label of the port it came through (the port
itself without a label), for RunInstances the fleet (its serverfleet.dev/fleet tag, or the
floor's bench-floor/fleet), subnet, count, MaxCount and the ids moto launched ("launched"), and for
a successful TerminateInstances the ids it named ("terminated").

With --account-limits, the proxy enforces one EC2 account's token buckets (ec2_account.py) across
all its ports: a call that finds its bucket empty is answered as EC2 answers it, HTTP 503
RequestLimitExceeded, is not forwarded, and is logged with "throttled": true.
With --describe-delay, every DescribeInstances request waits that long before it is forwarded (as
the project's Ec2FaultProxy.delay does): a slow DescribeInstances on a large AWS account. With
--pending, an instance launched through the proxy is reported pending in DescribeInstances answers
(and left out of DescribeInstanceStatus answers) for that long after moto answered its
RunInstances, as on EC2 (moto launches straight into running; Ec2FaultProxy.reportPending does the
same for the tests).
"""

import argparse
import http.client
import http.server
import json
import re
import socketserver
import sys
import threading
import time
import urllib.parse

import ec2_account

FLEET_TAGS = ("serverfleet.dev/fleet", "bench-floor/fleet")
INSTANCE_ID = re.compile(rb"<instanceId>(i-[0-9a-f]+)</instanceId>")
# One instance of a DescribeInstances answer: its id, then (before the next instance) its state.
RUNNING = re.compile(rb"(<instanceId>(i-[0-9a-f]+)</instanceId>(?:(?!<instanceId>).)*?<instanceState>\s*"
                     rb"<code>)16(</code>\s*<name>)running(</name>)", re.S)
STATUS_ITEM = re.compile(rb"<item>\s*<instanceId>(i-[0-9a-f]+)</instanceId>(?:(?!<item>).)*?</item>\s*", re.S)


def pending_view(action, body, young):
    """The answer with young instances pending (DescribeInstances) or left out (DescribeInstanceStatus)."""
    if action == "DescribeInstances":
        return RUNNING.sub(lambda m: m.group(1) + b"0" + m.group(3) + b"pending" + m.group(4)
                           if young(m.group(2).decode()) else m.group(0), body)
    if action == "DescribeInstanceStatus":
        return STATUS_ITEM.sub(lambda m: b"" if young(m.group(1).decode()) else m.group(0), body)
    return body


def read_body(handler):
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def describe_call(action, params):
    """The log record's fields read from the request."""
    record = {"action": action, "ids": sum(1 for k in params if k.startswith("InstanceId."))}
    if action == "RunInstances":
        record["subnet"] = params.get("SubnetId")
        record["count"] = params.get("MinCount")
        record["max_count"] = params.get("MaxCount")
        for key, value in params.items():
            if key.startswith("TagSpecification.") and key.endswith(".Key") and value in FLEET_TAGS:
                record["fleet"] = params.get(key[:-4] + ".Value")
                break
    elif action == "DescribeInstances":
        record["page"] = 2 if params.get("NextToken") else 1
    return record


class Proxy:
    """One upstream, one log, one account; any number of listening ports."""

    def __init__(self, upstream, log_path, delay=0.0, pending=0.0, account=None):
        self.target = urllib.parse.urlsplit(upstream)
        self.delay, self.pending, self.account = delay, pending, account
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", buffering=1)
        self.local = threading.local()
        self.launched_at = {}  # instance id -> when moto answered its RunInstances

    def young(self, instance_id):
        t = self.launched_at.get(instance_id)
        return t is not None and time.time() < t + self.pending

    def write(self, record):
        with self.log_lock:
            self.log_file.write(json.dumps(record) + "\n")

    def forward(self, command, path, headers, body):
        """(status, headers, body) from moto; one reconnect when a kept-alive connection went stale."""
        for attempt in (1, 2):
            try:
                conn = getattr(self.local, "conn", None)
                if conn is None:
                    conn = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=600)
                    self.local.conn = conn
                conn.request(command, path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError) as e:
                self.local.conn = None
                if attempt == 2:
                    return 502, [], f"bench proxy: upstream failed: {e}".encode()

    def handle(self, handler, via):
        arrived = time.time()
        body = read_body(handler)
        params = {}
        if body and "x-www-form-urlencoded" in handler.headers.get("Content-Type", ""):
            params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if not params and "?" in handler.path:
            params = dict(urllib.parse.parse_qsl(handler.path.split("?", 1)[1]))
        action = params.get("Action", "-")
        record = {"t0": round(arrived, 3), "via": via, **describe_call(action, params)}
        if self.account is not None and action != "-" and not self.account.admit(action, params):
            status, out_headers, out = ec2_account.THROTTLED_STATUS, [("Content-Type", "text/xml")], \
                ec2_account.throttled_body()
            record["throttled"] = True
        else:
            if action == "DescribeInstances" and self.delay > 0:
                time.sleep(self.delay)
            headers = {k: v for k, v in handler.headers.items()
                       if k.lower() not in ("host", "connection", "content-length", "transfer-encoding",
                                            "keep-alive", "proxy-connection")}
            headers["Host"] = self.target.netloc
            headers["Content-Length"] = str(len(body))
            status, out_headers, out = self.forward(handler.command, handler.path, headers, body)
            if status < 400 and action == "RunInstances":
                ids = [m.decode() for m in INSTANCE_ID.findall(out)]
                now = time.time()
                for i in ids:
                    self.launched_at.setdefault(i, now)
                record["launched"] = ids
            elif status < 400 and action == "TerminateInstances":
                record["terminated"] = [v for k, v in params.items() if k.startswith("InstanceId.")]
            elif status < 400 and self.pending > 0:
                out = pending_view(action, out, self.young)
        handler.send_response(status)
        for k, v in out_headers:
            if k.lower() not in ("connection", "content-length", "transfer-encoding", "keep-alive"):
                handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(out)))
        handler.end_headers()
        handler.wfile.write(out)
        record["t1"] = round(time.time(), 3)
        record["status"] = status
        if status >= 400:
            m = re.search(rb"<Code>([^<]+)</Code>", out)
            record["error"] = m.group(1).decode() if m else str(status)
        self.write(record)

    def server(self, port, via):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # no access log on stderr
                pass

            def handle_any(self):
                proxy.handle(self, via)

            do_POST = do_GET = do_PUT = do_DELETE = do_HEAD = handle_any

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        return Server(("127.0.0.1", port), Handler)


def listen_spec(text):
    port, _, label = text.partition("=")
    return int(port), label or port


def parse_args(argv):
    if argv and not argv[0].startswith("-"):  # the old positional form
        if len(argv) < 3:
            print(__doc__, file=sys.stderr)
            sys.exit(2)
        old = ["--listen", argv[0], "--upstream", argv[1], "--log", argv[2]]
        old += ["--describe-delay", argv[3]] if len(argv) > 3 else []
        old += ["--pending", argv[4]] if len(argv) > 4 else []
        argv = old
    p = argparse.ArgumentParser(description="Logging EC2 proxy of the benches (see the module's docstring).")
    p.add_argument("--listen", action="append", type=listen_spec, required=True, metavar="PORT[=LABEL]",
                   help="a port to listen on (127.0.0.1), logged as LABEL in 'via'; repeatable")
    p.add_argument("--upstream", required=True, help="moto's URL")
    p.add_argument("--log", required=True, help="file the JSON lines are appended to")
    p.add_argument("--describe-delay", type=float, default=0.0, help="seconds each DescribeInstances is held")
    p.add_argument("--pending", type=float, default=0.0, help="seconds new instances are reported pending")
    p.add_argument("--account-limits", action="store_true",
                   help="enforce EC2's default account token buckets, shared by all ports")
    return p.parse_args(argv)


def main(argv):
    a = parse_args(argv)
    account = ec2_account.Account() if a.account_limits else None
    proxy = Proxy(a.upstream, a.log, a.describe_delay, a.pending, account)
    servers = [proxy.server(port, via) for port, via in a.listen]
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(f"proxy on {', '.join(f'127.0.0.1:{p}={v}' for p, v in a.listen)} -> {a.upstream}, "
          f"DescribeInstances delay {a.describe_delay} s, pending {a.pending} s, "
          f"account limits {'on' if account else 'off'}", file=sys.stderr, flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
