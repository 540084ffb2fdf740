"""The playground as a learner uses it: a real headless Chromium drives the page served on a free port.

Needs the playground extra, the playwright Python package (its own browser download is not used) and
Debian's chromium at /usr/bin/chromium; skips cleanly without them. Screenshots of each state go to the
test's tmp_path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd

CHROMIUM = os.environ.get("GRADWORK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.numpy_only  # one browser run is enough; the backend is tested elsewhere


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from nn.playground.server import serve_in_thread

    url, srv, thread = serve_in_thread()
    yield url, srv.config.app
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def the_session(app):
    (tab,) = app.state.tabs
    return tab.session


def test_a_learner_trains_and_steps_through_backprop(server, browser, tmp_path: Path) -> None:
    url, app = server
    page = browser.new_page(viewport={"width": 1560, "height": 1000}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_function("window.playground.last !== null")
    page.screenshot(path=str(tmp_path / "01-start.png"), full_page=True)

    # change the data set
    page.select_option("#dataset", "moons")
    page.wait_for_function("window.playground.last.settings.dataset === 'moons'")
    start_loss = page.evaluate("window.playground.last.train_loss")
    boundary_before = page.eval_on_selector("#boundary", "c => c.toDataURL()")

    # press play, see the loss fall, pause
    page.click("#play")
    page.wait_for_function("window.playground.last.train_loss < 0.25", timeout=20000)
    page.click("#play")
    page.wait_for_function("!window.playground.last.playing")
    state = page.evaluate("window.playground.last")
    # a step or two may run between the wait and the pause, and SGD's loss can tick up a little on one
    assert state["train_loss"] < 0.35 < start_loss and state["step"] > 0
    assert page.eval_on_selector("#boundary", "c => c.toDataURL()") != boundary_before
    assert int(page.inner_text("#step-count")) == state["step"]
    page.screenshot(path=str(tmp_path / "02-trained.png"), full_page=True)

    # an out-of-range setting is refused with a message, and the run continues unchanged
    page.fill("#lr", "-1")
    page.press("#lr", "Enter")
    page.wait_for_selector("#message:not([hidden])")
    assert "learning rate must be between" in page.inner_text("#message")
    page.wait_for_function("document.getElementById('lr').value === '0.03'")
    assert page.evaluate("window.playground.last.step") == state["step"]
    page.screenshot(path=str(tmp_path / "03-refused.png"), full_page=True)

    # click a neuron and step backward to the end
    page.click("#neuron-2-0")
    page.wait_for_function("window.playground.trace !== null && window.playground.trace.data.layer === 2")
    n_steps = page.evaluate("window.playground.trace.data.steps.length")
    for k in range(n_steps):
        page.click("#backward .gw-step")
        if k == 3:
            page.screenshot(path=str(tmp_path / "04-backward-step.png"), full_page=True)
    assert page.get_attribute("#backward", "data-finished") == "true"
    assert page.is_disabled("#backward .gw-step")
    page.screenshot(path=str(tmp_path / "05-backward-done.png"), full_page=True)
    shown = page.eval_on_selector_all(
        "#backward tr[data-grad]", "rows => rows.map(r => [r.dataset.name, Number(r.dataset.grad)])")
    shown = dict(shown)
    session = the_session(app)
    model = session.run.model.to_scalar()
    model.eval()
    hidden = model[1](model[0](session.run.X_train[0:1]))  # Linear, tanh: hidden layer 1
    neuron = model[3](model[2](hidden))[0, 0]  # hidden layer 2, neuron 0
    neuron.backward()
    expected = {}
    for name, p in model.named_parameters():
        for idx in np.ndindex(p.shape):
            if p[idx].grad != 0.0:
                expected[f"{name}[{','.join(map(str, idx))}]"] = p[idx].grad
    assert expected and set(expected) <= set(shown)
    for name, g in expected.items():
        assert shown[name] == pytest.approx(g, rel=1e-12), name

    # an example's loss graph, to the end, then the update it gives
    page.fill("#example", "3")
    page.click("#trace-loss")
    page.wait_for_function("window.playground.trace !== null && window.playground.trace.data.layer === null")
    page.click("#backward .gw-last")
    page.click("#apply")
    page.wait_for_selector("#update tr td")
    page.wait_for_function("document.querySelectorAll('#network path.edge.updated').length > 0")
    page.screenshot(path=str(tmp_path / "06-update.png"), full_page=True)

    # export the run as a script, run it, and get the same numbers; download the checkpoint
    with page.expect_download() as info:
        page.click("#export-script")
    script = tmp_path / "run" / "gradwork_playground_run.py"
    script.parent.mkdir()
    info.value.save_as(script)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, str(script)], cwd=script.parent, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    session = the_session(app)
    assert f"train loss {session.train_loss!r} test loss {session.test_loss!r}" in out.stdout
    with page.expect_download() as info:
        page.click("#export-checkpoint")
    ckpt = tmp_path / "model.npz"
    info.value.save_as(ckpt)
    saved = autograd.load(ckpt)
    for k, v in session.run.model.state_dict().items():
        np.testing.assert_array_equal(saved["state_dict"][k], v)

    assert not errors, errors
    assert all(r.startswith(url) or r.startswith(("data:", "blob:")) for r in requests), "nothing from the network"
    page.close()


def test_two_tabs_train_apart(server, browser) -> None:
    url, app = server
    before = set(app.state.tabs)  # (a page an earlier failed test left open keeps its tab)
    a, b = browser.new_page(), browser.new_page()
    for p in (a, b):
        p.goto(url)
        p.wait_for_function("window.playground.last !== null")
    a.click("#step")
    a.wait_for_function("window.playground.last.step === 1")
    b.select_option("#activation", "relu")
    b.wait_for_function("window.playground.last.settings.activation === 'relu'")
    assert a.evaluate("window.playground.last.settings.activation") == "tanh"
    assert b.evaluate("window.playground.last.step") == 0
    assert len(set(app.state.tabs) - before) == 2
    a.close()
    b.close()
    b_deadline = 50
    while set(app.state.tabs) - before and b_deadline:
        import time

        time.sleep(0.1)
        b_deadline -= 1
    assert not set(app.state.tabs) - before, "closed tabs free their sessions"
