"""In a real browser: the Neuron explorer serves, and moving a slider changes the output."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_home_links_to_neuron_explorer(page, app_url):
    page.goto(app_url)
    page.get_by_text("See deep learning work").first.wait_for()
    page.locator('[data-testid="stPageLink"]').get_by_text("Neuron explorer").click()
    page.get_by_text("neuron output a").wait_for()


def test_slider_moves_output(page, app_url):
    page.goto(f"{app_url}/neuron")
    page.get_by_text("neuron output a").wait_for()
    before = metric_value(page, "neuron output a")
    weight = page.get_by_role("slider").nth(2)  # w1
    weight.focus()
    for _ in range(10):
        weight.press("ArrowRight")
    page.wait_for_function(
        "([b]) => [...document.querySelectorAll('[data-testid=stMetric]')].some(m => m.innerText.includes('neuron output a') && !m.innerText.includes(b))",
        arg=[before],
    )
    after = metric_value(page, "neuron output a")
    assert re.fullmatch(r"-?\d+\.\d{3}", after) and after != before
