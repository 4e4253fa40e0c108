"""Open a page in headless Chromium with the network blocked and inspect it over the
DevTools protocol, using ``--remote-debugging-pipe`` (JSON messages on file descriptors 3
and 4, NUL-separated): no websocket package needed.

Network: a dead proxy (``--proxy-server=127.0.0.1:9``) and a resolver that maps every host
to nothing, so no request can leave the machine; every request the page *tries* is still
seen as a ``Network.requestWillBeSent`` event and counted.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
         "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--remote-debugging-pipe"]

PROBE = r"""
(() => {
  const figs = Array.from(document.querySelectorAll('figure.pk-chart'));
  const charts = figs.map(f => {
    const svg = f.querySelector('svg');
    const marks = svg ? svg.querySelectorAll('g[class*="mark-"] path, g[class*="mark-"] line, g[class*="mark-"] text').length : 0;
    const view = f.querySelector('canvas, .vega-embed');
    return {svg: !!svg, marks: marks, width: svg ? svg.getBoundingClientRect().width : 0, view: !!view};
  });
  const text = document.body ? document.body.innerText : '';
  const cjk = document.fonts ? document.fonts.check('16px "Noto Sans CJK SC"', '中文') : false;
  return JSON.stringify({charts: charts, text: text, scripts: document.scripts.length,
                         title: document.title, cjk_font: cjk});
})()
"""


class Browser:
    """One headless Chromium with a fresh profile, driven over the DevTools pipe."""

    def __init__(self):
        if CHROMIUM is None:
            raise RuntimeError("chromium not found")
        self.profile = tempfile.mkdtemp(prefix="pk-chromium-")
        to_r, to_w = os.pipe()     # we write commands -> chromium reads fd 3
        from_r, from_w = os.pipe()  # chromium writes fd 4 -> we read
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=_dup_fds(to_r, from_w))
        os.close(to_r)
        os.close(from_w)
        self.w = os.fdopen(to_w, "wb", buffering=0)
        self.r = os.fdopen(from_r, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    # -------------------------------------------------------------- protocol
    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        raise TimeoutError(method)

    def _read(self) -> dict:
        while b"\0" not in self.buf:
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method: str, session: str, timeout: float = 30) -> dict:
        deadline = time.time() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method and e.get("sessionId") == session:
                return self.events.pop(i)
        while time.time() < deadline:
            m = self._read()
            if m.get("method") == method and m.get("sessionId") == session:
                return m
            self.events.append(m)
        raise TimeoutError(method)

    # -------------------------------------------------------------- pages
    def inspect(self, path: str | Path, settle: float = 0.5) -> dict:
        """Load ``path``; return the probe result plus every request that left the page."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Network.enable", session=sid)
        self.send("Page.enable", session=sid)
        self.events.clear()
        self.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=sid)
        self.wait_event("Page.loadEventFired", sid)
        time.sleep(settle)  # late requests (fonts, lazy images) show up as events too
        res = self.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session=sid)
        probe = json.loads(res["result"]["value"])
        requests = [e["params"]["request"]["url"] for e in self.events
                    if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == sid]
        probe["requests"] = requests
        probe["external"] = [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
        self.send("Target.closeTarget", {"targetId": target})
        return probe

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _dup_fds(read_fd: int, write_fd: int):
    def _pre():
        os.dup2(read_fd, 3)
        os.dup2(write_fd, 4)
    return _pre
