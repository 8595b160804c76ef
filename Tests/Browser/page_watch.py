#!/usr/bin/env python3
"""page_watch.py URL CONDITION REPORT SECONDS — opens URL in headless Chromium and evaluates the
JavaScript CONDITION in the page every 200 ms (over the DevTools protocol on a pipe, no extra
packages) until it is true or SECONDS pass; then prints REPORT's value. Exits 0 when the condition
held, 1 when time ran out, 2 when Chromium could not be driven."""
import json, os, subprocess, sys, tempfile, time

url, condition, report, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
to_browser_read, to_browser_write = os.pipe()
from_browser_read, from_browser_write = os.pipe()

def wire():
    os.dup2(to_browser_read, 3)
    os.dup2(from_browser_write, 4)

profile = tempfile.mkdtemp(prefix="sevad-chromium-")
browser = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
                           pass_fds=(3, 4), preexec_fn=wire, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_browser_read)
os.close(from_browser_write)
pending = b""
next_id = 0

def call(method, params=None, session=None):
    global next_id, pending
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_browser_write, json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in pending:
            chunk = os.read(from_browser_read, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            pending += chunk
        raw, pending = pending.split(b"\0", 1)
        answer = json.loads(raw)
        if answer.get("id") == next_id:
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            return answer["result"]

def evaluate(expression, session):
    result = call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
    return result.get("result", {}).get("value")

status = 2
try:
    target = call("Target.createTarget", {"url": url})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    deadline = time.time() + seconds
    status = 1
    while time.time() < deadline:
        if evaluate(condition, session) is True:
            status = 0
            break
        time.sleep(0.2)
    print(evaluate(report, session))
except Exception as error:
    print(f"page_watch: {error}", file=sys.stderr)
finally:
    browser.kill()
    browser.wait()
sys.exit(status)
