"""Page tests (Streamlit AppTest) for the app shell and the Neuron explorer."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_page

APP = str(Path(__file__).resolve().parents[1] / "demos" / "app.py")


@pytest.fixture
def neuron_page() -> AppTest:
    return open_page("neuron/page.py")


def metric(at: AppTest, label: str) -> float:
    return float(next(m for m in at.metric if m.label == label).value)


def test_home_renders_and_lists_pages():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "forward-propagation engine" in at.markdown[0].value
    assert "Neuron explorer" in " ".join(c.value for c in at.caption) + str(at.session_state["pages"])


def test_neuron_output_follows_sliders(neuron_page):
    at = neuron_page
    # defaults: z = 1.5*1 - 2*0 - 0.5 = 1.0 -> sigmoid(1.0)
    assert metric(at, "neuron output a") == pytest.approx(0.731, abs=1e-3)
    at.select_slider(key="b").set_value(-1.5).run()  # z = 0
    assert metric(at, "neuron output a") == pytest.approx(0.5, abs=1e-3)
    at.radio(key="act").set_value("relu").run()
    assert metric(at, "neuron output a") == pytest.approx(0.0, abs=1e-3)
    at.select_slider(key="w1").set_value(3.0).run()  # z = 3 - 1.5
    assert metric(at, "neuron output a") == pytest.approx(1.5, abs=1e-3)


def test_network_computes_xor_and_linear_does_not(neuron_page):
    at = neuron_page
    outputs = {}
    for x1, x2 in [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]:
        at.select_slider(key="x1").set_value(x1)
        at.select_slider(key="x2").set_value(x2).run()
        outputs[(x1, x2)] = metric(at, "network output y")
    assert outputs[(0.0, 1.0)] > 0.9 and outputs[(1.0, 0.0)] > 0.9
    assert outputs[(0.0, 0.0)] < 0.1 and outputs[(1.0, 1.0)] < 0.1
    at.radio(key="hidden_act").set_value("linear (no activation)").run()
    assert not at.exception
    assert any("**Hidden layer**" in m.value and "(linear)" in m.value for m in at.markdown)


def test_app_never_imports_tensorflow():
    """The app's pages must not pull TensorFlow in (4 s and 800 MB at start)."""
    import subprocess
    import sys

    code = (
        "import sys; from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=60).run()\n"
        "at.switch_page('neuron/page.py').run()\n"
        "print('TF' if any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules) else 'clean')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip().splitlines()[-1] == "clean", r.stdout + r.stderr
