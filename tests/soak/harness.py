# What the load scripts share (tests/soak/run, bench/http/run, the http victim of tests/crash/run):
# a prepared data directory, the real `pathaudit serve` on an ephemeral loopback port over TLS, and
# a small HTTPS client that trusts exactly the data directory's certificate. Python's standard
# library only (Debian's /usr/bin/python3). Synthetic data only.
#
# Thread safety: a Client is one keep-alive connection, for one thread; a Server may be read
# (rss_kb, pid) from any thread. Nothing here logs a token or a password.
import csv
import http.client
import io
import json
import os
import signal
import sqlite3
import ssl
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "audit-templates", "csa-response-pathway", "1.json")
DEMO_ANSWERS = os.path.join(ROOT, "scripts", "demo-answers")


class Failure(Exception):
    """A check that did not hold; the message says which, never with a token or case content."""


def cli(binary, data, *args, stdin=None, check=True):
    r = subprocess.run([binary, *args, "--data-dir", data], capture_output=True, text=True,
                       input=stdin)
    if check and r.returncode != 0:
        raise Failure("`pathaudit %s` exited %d: %s" % (" ".join(args), r.returncode,
                                                        r.stderr.strip()[-400:]))
    return r


def sql(data, query):
    db = sqlite3.connect(os.path.join(data, "pathaudit.db"))
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def check_whole(binary, data, label):
    """PRAGMA integrity_check and verify-log, as a restart would find the database."""
    rows = sql(data, "PRAGMA integrity_check")
    if rows != [("ok",)]:
        raise Failure("%s: integrity_check: %s" % (label, rows[:5]))
    r = cli(binary, data, "verify-log", check=False)
    if r.returncode != 0:
        raise Failure("%s: verify-log exited %d: %s" % (label, r.returncode, r.stderr.strip()))


def prepare(binary, work, password, children=800, sample=12, seed=7):
    """A data directory with a synthetic partnership imported whole, the default template, a QA
    lead `qa`, an auditor `aud-<agency>` per agency, and audit 1 sampled and assigned. Returns
    (data dir, [(review id, auditor)], the form of the first return as `review form` gives it)."""
    synth = os.path.join(work, "synth")
    data = os.path.join(work, "data")
    subprocess.run([binary, "synth", "--seed", str(seed), "--children", str(children), "--out",
                    synth], check=True, capture_output=True)
    extracts = sorted(os.path.join(synth, f) for f in os.listdir(synth)
                      if f.startswith("events-") and f.endswith(".csv"))
    cli(binary, data, "init", "--partnership", os.path.join(synth, "partnership.json"))
    cli(binary, data, "import", *extracts)
    cli(binary, data, "templates", "import", TEMPLATE)
    cli(binary, data, "users", "add", "--username", "qa", "--display-name", "Load QA", "--role",
        "qa_lead", "--password-stdin", stdin=password + "\n")
    agencies = json.load(open(os.path.join(synth, "partnership.json")))["agencies"]
    for a in agencies:
        cli(binary, data, "users", "add", "--username", "aud-" + a["code"].lower(),
            "--display-name", "Load auditor", "--role", "auditor", "--agency", a["code"],
            "--password-stdin", stdin=password + "\n")
    cli(binary, data, "audit", "create", "--title", "Load test (synthetic)", "--template",
        "csa-response-pathway", "--period-start", "2022-01-01", "--period-end", "2027-12-31",
        "--as", "qa")
    cli(binary, data, "sample", "--audit", "1", "--size", str(sample), "--seed", "3", "--as",
        "qa")
    cli(binary, data, "assign", "--audit", "1", "--qa-lead", "qa", "--as", "qa")
    listed = csv.DictReader(io.StringIO(cli(binary, data, "review", "list", "--audit", "1",
                                            "--format", "csv").stdout))
    reviews = [(int(r["id"]), r["auditor"]) for r in listed if r["auditor"]]
    if len(reviews) < 4:
        raise Failure("the prepared audit has only %d assigned returns" % len(reviews))
    form = json.loads(cli(binary, data, "review", "form", str(reviews[0][0]), "--as",
                          reviews[0][1], "--format", "json").stdout)
    return data, reviews, form


def complete_answers(binary, data, review, auditor, path):
    """Writes a complete answers file for one return (scripts/demo-answers) to `path`."""
    form = cli(binary, data, "review", "form", str(review), "--as", auditor, "--format",
               "json").stdout
    out = subprocess.run(["/usr/bin/python3", DEMO_ANSWERS], input=form, capture_output=True,
                         text=True, check=True).stdout
    with open(path, "w") as f:
        f.write(out)


def stored_answers(binary, data, review, auditor):
    """{question id: value} of one return, read back through `pathaudit review show`."""
    shown = json.loads(cli(binary, data, "review", "show", str(review), "--as", auditor,
                           "--format", "json").stdout)
    return {a["question"]: a["value"] for a in shown["answers"]}, shown["state"]


class Server:
    """`pathaudit serve` on 127.0.0.1, an ephemeral port, TLS with the certificate init made. Its
    standard error (one line per request) goes to `log`."""

    def __init__(self, binary, data, log, extra=()):
        self.log = log
        self.data = data
        self._log_file = open(log, "a")
        self.proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--listen",
                                      "127.0.0.1:0", *extra], stdout=subprocess.PIPE,
                                     stderr=self._log_file, text=True, start_new_session=True)
        line = self.proc.stdout.readline()
        marker = "listening on "
        if marker not in line:
            self.proc.wait()
            raise Failure("serve did not start (exit %s): %s" % (self.proc.returncode,
                                                                 open(log).read()[-400:]))
        self.url = line.split(marker, 1)[1].strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        self.cert = os.path.join(data, "tls-cert.pem")

    @property
    def pid(self):
        return self.proc.pid

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        """SIGTERM, a graceful stop; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout=60)
        self._log_file.close()
        return status

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._log_file.close()


class Client:
    """One keep-alive HTTPS connection to a Server, reconnecting when the server closes it (as
    every HTTP client does: the server ends a keep-alive connection after 1000 requests)."""

    def __init__(self, server, timeout=60):
        self.server = server
        self.context = ssl.create_default_context(cafile=server.cert)
        self.timeout = timeout
        self.conn = None
        self.token = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection("127.0.0.1", self.server.port,
                                                    context=self.context, timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None):
        """(status, parsed JSON body or text). A socket error propagates (OSError or
        http.client.HTTPException): the caller counts it as an error."""
        headers = {}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if method in ("POST", "PUT", "PATCH") and data is None:
            headers["Content-Length"] = "0"
        conn = self._connection()
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            raw = r.read()
        except Exception:
            self.close()
            raise
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        kind = r.getheader("Content-Type", "")
        if "json" in kind and raw:
            return r.status, json.loads(raw)
        return r.status, raw.decode(errors="replace")

    def sign_in(self, username, password):
        self.token = None
        status, body = self.request("POST", "/api/v1/session", {
            "username": username, "password": password, "mode": "bearer"})
        if status == 201:
            self.token = body["token"]
        return status

    def sign_out(self):
        status, _ = self.request("DELETE", "/api/v1/session")
        self.token = None
        return status
