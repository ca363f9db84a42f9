#!/usr/bin/env python3
"""tests/browser_check.py: open an HTML flip-book of tlssim in a real
browser (Chromium, headless) and check it as a student would use it.

    browser_check.py BROWSER FILE.html PAGES

Chromium is driven through its DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ending in a NUL byte, the browser
reading on fd 3 and writing on fd 4), with the standard library only.
Checks: the page loads with no console error, no exception and no
security (CSP) complaint; it holds PAGES flip-book pages, the first one
shown; pressing the right arrow shows the second page (another SVG) and
highlights another source line; the left arrow comes back.
Prints what it found; exits 0 when all holds, 1 otherwise, 77 when the
browser cannot be started at all (said why).
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEADLINE = 60.0     # seconds for the whole check (the test adds a timeout)


class Browser:
    def __init__(self, exe, profile):
        cmd_r, self.cmd_w = os.pipe()    # we write commands: fd 3 there
        self.res_r, res_w = os.pipe()    # it writes results: fd 4 there

        def child_fds():
            # out of the way first: either may be 3 or 4 already
            a, b = os.dup(cmd_r), os.dup(res_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.close(a)
            os.close(b)

        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-sync",
             "--remote-debugging-pipe", "--user-data-dir=" + profile,
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(profile, "stderr.log"), "wb"),
            pass_fds=(3, 4, cmd_r, res_w), preexec_fn=child_fds,
            start_new_session=True)
        # a timeout's SIGTERM takes the browser and its children along
        signal.signal(signal.SIGTERM, lambda *_: self.kill_all(143))
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.start = time.monotonic()

    def left(self):
        return DEADLINE - (time.monotonic() - self.start)

    def _read_message(self):
        while b"\0" not in self.buf:
            if self.left() <= 0:
                raise TimeoutError("the browser did not answer in time")
            ready, _, _ = select.select([self.res_r], [], [], self.left())
            if not ready:
                continue
            chunk = os.read(self.res_r, 1 << 16)
            if not chunk:
                raise EOFError("the browser closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                del self.events[i]
                return m
        while True:
            m = self._read_message()
            if m.get("method") == method:
                return m
            self.events.append(m)

    def kill_all(self, status=None):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        if status is not None:
            os._exit(status)

    def close(self):
        try:
            os.write(self.cmd_w, json.dumps(
                {"id": 0, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.kill_all()     # renderers left behind, if any
        self.proc.wait()


STATE = """(function () {
  var frames = document.querySelectorAll('.frame');
  var shown = [], svg = null;
  frames.forEach(function (f, i) {
    if (!f.hidden && getComputedStyle(f).display !== 'none') {
      shown.push(i);
      var s = f.querySelector('svg');
      var r = s ? s.getBoundingClientRect() : null;
      svg = s ? { id: f.id, w: r.width, h: r.height,
                  first: s.querySelector('[id]') ? s.querySelector('[id]').id : '' } : null;
    }
  });
  var cur = document.querySelector('#src .ln.cur');
  return JSON.stringify({ pages: frames.length, shown: shown, svg: svg,
    line: cur ? cur.getAttribute('data-line') : null,
    where: (document.getElementById('where') || {}).textContent,
    title: document.title });
})()"""


def state(b, session):
    r = b.send("Runtime.evaluate", {"expression": STATE,
                                    "returnByValue": True}, session)
    return json.loads(r["result"]["value"])


def press(b, session, key, code):
    for kind in ("keyDown", "keyUp"):
        b.send("Input.dispatchKeyEvent", {"type": kind, "key": key,
               "code": key, "windowsVirtualKeyCode": code,
               "nativeVirtualKeyCode": code}, session)


def problems(events):
    """Console errors, exceptions and log errors among the events."""
    out = []
    for m in events:
        p = m.get("params", {})
        if m.get("method") == "Runtime.exceptionThrown":
            out.append("exception: %s" % p.get("exceptionDetails", {}).get("text"))
        elif (m.get("method") == "Runtime.consoleAPICalled"
              and p.get("type") in ("error", "assert")):
            out.append("console.%s: %s" % (p["type"], [a.get("value") for a in p.get("args", [])]))
        elif (m.get("method") == "Log.entryAdded"
              and p.get("entry", {}).get("level") == "error"):
            out.append("log (%s): %s" % (p["entry"].get("source"), p["entry"].get("text")))
    return out


def run(exe, html, pages, profile, fails):
    b = None
    try:
        try:
            b = Browser(exe, profile)
            targets = b.send("Target.getTargets")["targetInfos"]
        except (OSError, EOFError, TimeoutError) as e:
            log = open(os.path.join(profile, "stderr.log"), errors="replace").read()
            print("SKIP: %s does not start here (%s): %s" % (exe, e, log[-500:]))
            if b:
                b.kill_all()
            return 77
        page = [t for t in targets if t["type"] == "page"]
        if page:
            target = page[0]["targetId"]
        else:
            target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.send("Target.attachToTarget", {"targetId": target,
                                                   "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            b.send(domain + ".enable", {}, session)
        shot = os.environ.get("TLSSIM_BROWSER_SHOT")
        if shot:    # a picture of the second page, for people
            b.send("Emulation.setDeviceMetricsOverride", {"width": 1280,
                   "height": 800, "deviceScaleFactor": 1, "mobile": False}, session)
        b.send("Page.navigate", {"url": "file://" + html}, session)
        b.wait_event("Page.loadEventFired")
        s1 = state(b, session)
        print("loaded: %s" % s1)
        if s1["pages"] != pages:
            fails.append("%d pages in the HTML, the flip-book has %d" % (s1["pages"], pages))
        if s1["shown"] != [0]:
            fails.append("pages shown at first: %s, not the first alone" % s1["shown"])
        if not s1["svg"] or s1["svg"]["w"] < 100 or s1["svg"]["h"] < 100:
            fails.append("the first page has no visible picture: %s" % s1["svg"])
        press(b, session, "ArrowRight", 39)
        s2 = state(b, session)
        print("after ->: %s" % s2)
        if pages > 1:
            if s2["shown"] != [1]:
                fails.append("after ->, pages shown: %s, not the second" % s2["shown"])
            if not s2["svg"] or s2["svg"] == s1["svg"]:
                fails.append("-> did not change the picture")
            if s2["line"] is None or s2["line"] == s1["line"]:
                fails.append("-> did not move the highlighted line (%s, then %s)"
                             % (s1["line"], s2["line"]))
        if shot:
            import base64
            data = b.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
            with open(shot, "wb") as f:
                f.write(base64.b64decode(data))
        press(b, session, "ArrowLeft", 37)
        s3 = state(b, session)
        print("after <-: %s" % s3)
        if s3["shown"] != [0] or s3["line"] != s1["line"]:
            fails.append("<- did not come back to the first page")
        # let late errors arrive
        b.send("Runtime.evaluate", {"expression": "1"}, session)
        fails += problems(b.events)
    except (OSError, EOFError, TimeoutError, RuntimeError) as e:
        fails.append("the browser: %s" % e)
    finally:
        if b:
            b.close()
    return 0


def main():
    if len(sys.argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    exe, html, pages = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
    fails = []
    profile = tempfile.mkdtemp(prefix="tlssim-browser-")
    try:
        if run(exe, html, pages, profile, fails) == 77:
            return 77
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
