"""In a real browser: the Neuron explorer in Spanish (no English on the page, decimal commas), and
switching to English and back in the sidebar keeps the sliders and choices, and the language
follows the user to another page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_app_spanish import ENGLISH

pytestmark = pytest.mark.browser


def page_text(page) -> str:
    """What the page shows, without the names of Material icons (drawn from ligature text) and the
    keyboard's skip link (hidden until focused; CSS shows it in Spanish, which innerText cannot see)."""
    page.add_style_tag(content="[data-testid=stIconMaterial], [data-testid=stSkipToContent] {display:none !important}")
    return page.locator('[data-testid="stApp"]').inner_text()


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_neuron_explorer_in_spanish_keeps_state_across_languages(page, app_url):
    page.goto(f"{app_url}/neuron?lang=es")
    page.get_by_text("salida de la neurona a").wait_for()
    page.get_by_text("salida de la red y").wait_for()
    text = page_text(page)
    assert "Explorador de neuronas" in text and "propagación hacia adelante" in text and "sesgo b" in text
    assert not ENGLISH.findall(text), ENGLISH.findall(text)
    assert metric_value(page, "salida de la neurona a") == "0,731"

    weight = page.get_by_role("slider").nth(2)  # w1: 1,50 -> 2,50
    weight.focus()
    for _ in range(10):
        weight.press("ArrowRight")
    page.get_by_text("lineal (sin activación)").click()
    page.wait_for_function("() => document.body.innerText.includes('neuronas (lineal)')")
    spanish_value = metric_value(page, "salida de la neurona a")
    assert re.fullmatch(r"\d,\d{3}", spanish_value) and spanish_value != "0,731"

    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.get_by_text("neuron output a").wait_for()
    page.wait_for_function("() => document.body.innerText.includes('neurons (linear)')")  # the page has run to its end
    assert metric_value(page, "neuron output a") == spanish_value.replace(",", ".")  # the same sliders
    # The radio takes its restored value a frame after the page has drawn it, so wait for it (up to 5 s).
    expect(page.get_by_role("radio", name="linear (no activation)")).to_be_checked()
    assert "lang=en" in page.url

    page.locator('[data-testid="stSidebar"]').get_by_text("Español", exact=True).click()
    page.get_by_text("salida de la neurona a").wait_for()
    page.wait_for_function("() => document.body.innerText.includes('neuronas (lineal)')")
    assert metric_value(page, "salida de la neurona a") == spanish_value
    expect(page.get_by_role("radio", name="lineal (sin activación)")).to_be_checked()

    page.locator('[data-testid="stSidebarNav"]').get_by_text("Colorear").click()
    page.get_by_text("Lo que ve la red").wait_for(timeout=60_000)
    assert "lang=es" in page.url and not ENGLISH.findall(page_text(page))
