"""The report in a real browser: headless Chromium, no console errors, no broken images.

Skipped when ``chromium`` is not on PATH. Install it on Debian/Ubuntu with
``apt-get update && apt-get install -y chromium``.

The report itself has no scripts. The test loads an instrumented copy: a probe script, first in
``<head>``, records console errors, script errors and failed resource loads, and after ``load``
opens every ``<details>``, checks every ``<img>`` (complete, non-zero natural size: the PNG data
URIs), every inline ``<svg>`` (non-empty box),
and every ``href="#id"`` inside the SVGs (target exists); it writes the verdict into the DOM,
which ``--dump-dom`` prints.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PROBE = """<script>
(function () {
  var problems = [];
  var origError = console.error;
  console.error = function () { problems.push("console.error: " + Array.prototype.join.call(arguments, " ")); origError.apply(console, arguments); };
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && (t.src || t.href)) { problems.push("failed to load: " + (t.src || t.href)); }
    else { problems.push("error: " + e.message); }
  }, true);
  window.addEventListener("load", function () {
    // open the collapsed sections (the report itself has no script; this copy is the probe's)
    var details = document.querySelectorAll("details");
    for (var d = 0; d < details.length; d++) { details[d].open = true; }
    var imgs = document.images, svgs = document.querySelectorAll("figure svg"), refs = 0;
    for (var i = 0; i < imgs.length; i++) {
      if (!imgs[i].complete || imgs[i].naturalWidth === 0) { problems.push("broken image: " + imgs[i].src); }
    }
    for (var j = 0; j < svgs.length; j++) {
      var box = svgs[j].getBoundingClientRect();
      if (!(box.width > 0 && box.height > 0)) { problems.push("empty svg #" + j); }
    }
    var uses = document.querySelectorAll("svg use, svg [clip-path]");
    for (var k = 0; k < uses.length; k++) {
      var ref = uses[k].getAttribute("xlink:href") || uses[k].getAttribute("href") || uses[k].getAttribute("clip-path");
      var m = /#([^)"']+)/.exec(ref || "");
      if (m) { refs++; if (!document.getElementById(m[1])) { problems.push("dangling reference #" + m[1]); } }
    }
    var out = document.createElement("pre");
    out.id = "neuromoa-probe";
    out.textContent = JSON.stringify({problems: problems, images: imgs.length, svgs: svgs.length, refs: refs});
    document.body.appendChild(out);
  });
})();
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_report_opens_in_headless_chromium(quick_report, tmp_path):
    result, html, _ = quick_report
    page = tmp_path / "probe.html"
    page.write_text(html.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    # Figures live next to index.html in the report; the probe page links to the same files.
    shutil.copytree(f"{result.out_dir}/figures", tmp_path / "figures", dirs_exist_ok=True)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-dev-shm-usage", "--virtual-time-budget=10000", "--enable-logging=stderr",
           "--v=0", "--dump-dom", page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = re.search(r'<pre id="neuromoa-probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, "the probe did not run: " + proc.stderr[-2000:]
    verdict = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert verdict["problems"] == []
    assert verdict["svgs"] + verdict["images"] == html.count("<figure ")
    console_errors = [ln for ln in proc.stderr.splitlines()
                      if "CONSOLE" in ln and ("ERROR" in ln or "Uncaught" in ln)]
    assert console_errors == []
