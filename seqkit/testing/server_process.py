"""`seqkit serve` in a subprocess, and a plain HTTP client for it.

Used by the end-to-end tests and the load benchmark (`bench/serve_load.py`).
"""

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time


class ServerProcess:
    """Starts `seqkit serve BASE --port 0 ...`; knows its port and log.

    Args:
        base: the model's base folder.
        *args: more `seqkit serve` options.
        timeout: seconds to wait for the server to listen.

    Raises:
        RuntimeError: the server did not start (the message holds its log).
    """

    def __init__(self, base, *args, timeout=120):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "seqkit",
                "serve",
                str(base),
                "--port",
                "0",
                *map(str, args),
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines = []
        self._ready = threading.Event()
        self.port = None
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(timeout) or self.port is None:
            self.stop()
            raise RuntimeError("server did not start:\n" + self.log())

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            found = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
            if found and self.port is None:
                self.port = int(found.group(1))
                self._ready.set()
        self._ready.set()

    def log(self):
        return "\n".join(self.lines)

    def access_records(self):
        return [json.loads(x) for x in self.lines if x.startswith("{")]

    def request(self, method, path, body=None, headers=None):
        """One request on a new connection: `(status, parsed JSON)`."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, 60)
        try:
            return send(connection, method, path, body, headers)
        finally:
            connection.close()

    def stop(self, signal_number=15, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def send(connection, method, path, body=None, headers=None):
    """Sends on an open `http.client` connection: `(status, JSON)`."""
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode("utf-8")
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    return response.status, json.loads(data)


def wait_for(condition, timeout=60, step=0.1):
    """Polls `condition()` until it is true; returns whether it became so."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False
