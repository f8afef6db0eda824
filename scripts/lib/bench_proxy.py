"""The logging EC2 proxy of scripts/bench-sweep and scripts/bench-lifecycle (standard library only).

  bench_proxy.py PORT UPSTREAM LOG [DESCRIBE_DELAY_SECONDS [PENDING_SECONDS]]

An HTTP proxy between the operator and moto. It forwards every request and writes one JSON line
per EC2 call to LOG: arrival and answer times, the Action, the HTTP status, the number of instance
ids the call names ("ids"), for RunInstances the fleet (its serverfleet.dev/fleet tag), subnet,
count and the ids moto launched ("launched"). With a delay, every DescribeInstances request waits
that long before it is forwarded (as the project's Ec2FaultProxy.delay does), which is how a slow
DescribeInstances on a large AWS account looks to the operator. With PENDING_SECONDS, an instance
launched through the proxy is reported pending in DescribeInstances answers (and left out of
DescribeInstanceStatus answers) for that long after moto answered its RunInstances, as on EC2
(moto launches straight into running; Ec2FaultProxy.reportPending does the same for the tests).
"""

import http.client
import http.server
import json
import re
import socketserver
import sys
import threading
import time
import urllib.parse

FLEET_TAG = "serverfleet.dev/fleet"
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


def run_proxy(port, upstream, log_path, delay, pending=0.0):
    target = urllib.parse.urlsplit(upstream)
    log_lock = threading.Lock()
    log_file = open(log_path, "a", buffering=1)
    local = threading.local()
    launched_at = {}  # instance id -> when moto answered its RunInstances

    def young(instance_id):
        t = launched_at.get(instance_id)
        return t is not None and time.time() < t + pending

    def connection():
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
            local.conn = conn
        return conn

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # no access log on stderr
            pass

        def read_body(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def handle_any(self):
            arrived = time.time()
            body = self.read_body()
            params = {}
            if body and "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
                params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            if not params and "?" in self.path:
                params = dict(urllib.parse.parse_qsl(self.path.split("?", 1)[1]))
            action = params.get("Action", "-")
            record = {"t0": round(arrived, 3), "action": action,
                      "ids": sum(1 for k in params if k.startswith("InstanceId."))}
            if action == "RunInstances":
                record["subnet"] = params.get("SubnetId")
                record["count"] = params.get("MinCount")
                for key, value in params.items():
                    if key.startswith("TagSpecification.") and key.endswith(".Key") and value == FLEET_TAG:
                        record["fleet"] = params.get(key[:-4] + ".Value")
                        break
            elif action == "DescribeInstances":
                record["page"] = 2 if params.get("NextToken") else 1
                if delay > 0:
                    time.sleep(delay)
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "connection", "content-length", "transfer-encoding",
                                            "keep-alive", "proxy-connection")}
            headers["Host"] = target.netloc
            headers["Content-Length"] = str(len(body))
            status, out_headers, out = 502, [], b""
            for attempt in (1, 2):  # one reconnect when a kept-alive upstream connection went stale
                try:
                    conn = connection()
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    status, out_headers, out = response.status, response.getheaders(), response.read()
                    break
                except (http.client.HTTPException, OSError) as e:
                    local.conn = None
                    if attempt == 2:
                        out = f"bench-sweep proxy: upstream failed: {e}".encode()
            if status < 400 and action == "RunInstances":
                ids = [m.decode() for m in INSTANCE_ID.findall(out)]
                now = time.time()
                for i in ids:
                    launched_at.setdefault(i, now)
                record["launched"] = ids
            elif status < 400 and pending > 0:
                out = pending_view(action, out, young)
            self.send_response(status)
            for k, v in out_headers:
                if k.lower() not in ("connection", "content-length", "transfer-encoding", "keep-alive"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            record["t1"] = round(time.time(), 3)
            record["status"] = status
            if status >= 400:
                m = re.search(rb"<Code>([^<]+)</Code>", out)
                record["error"] = m.group(1).decode() if m else str(status)
            with log_lock:
                log_file.write(json.dumps(record) + "\n")

        do_POST = do_GET = do_PUT = do_DELETE = do_HEAD = handle_any

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 128

    server = Server(("127.0.0.1", port), Handler)
    print(f"proxy on 127.0.0.1:{port} -> {upstream}, DescribeInstances delay {delay} s, pending {pending} s",
          file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    run_proxy(int(sys.argv[1]), sys.argv[2], sys.argv[3],
              float(sys.argv[4]) if len(sys.argv) > 4 else 0.0,
              float(sys.argv[5]) if len(sys.argv) > 5 else 0.0)
