"""Neuron explorer: a weighted sum plus a bias through an activation, then a network of them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from core import activations  # noqa: E402
from core.weights import WeightsError, read_card  # noqa: E402
from demos import language  # noqa: E402
from demos.i18n import N_, _, count, ngettext, num, tex, translate  # noqa: E402
from demos.neuron.model import CHOICES, WEIGHTS_DIR, forward_steps, neuron, output_surface, with_hidden_activation, xor_network  # noqa: E402
from demos.plots import localize  # noqa: E402

FORMULA = {"sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}", "relu": r"\mathrm{ReLU}(z) = \max(0, z)", "tanh": r"\tanh(z)"}
# Activation names as the course says them (msgids; "sigmoid" is "sigmoide" in Spanish).
ACT_NAMES = {"sigmoid": N_("sigmoid"), "relu": N_("ReLU"), "tanh": N_("tanh"), "linear": N_("linear")}
HIDDEN = (N_("sigmoid (as trained)"), N_("linear (no activation)"))
INPUTS = [round(0.05 * k, 2) for k in range(21)]  # 0 .. 1
PARAMS = [round(-4 + 0.1 * k, 1) for k in range(81)]  # -4 .. 4


def number_slider(label: str, values: list[float], default: float, key: str) -> float:
    """A slider whose value is written as the user's language writes numbers (1,50 in Spanish)."""
    return language.choice(st.select_slider, label, values, format_func=num, default=default, key=key)


def act_name(name: str) -> str:
    return _(ACT_NAMES.get(name, name))


def activation_plot(name: str, z: float, a: float):
    zs = np.linspace(-6, 6, 241, dtype=np.float32)
    fig, ax = plt.subplots(figsize=(4.2, 2.8), dpi=110)
    ax.plot(zs, activations.get(name)(zs.copy()), lw=2, color="#1f77b4")
    ax.axhline(0, color="#999", lw=0.6)
    ax.axvline(0, color="#999", lw=0.6)
    ax.plot([max(min(z, 6), -6)], [a], "o", ms=9, color="#d62728")
    ax.set_xlabel(_("z (weighted sum + bias)"))
    ax.set_ylabel(f"a = {act_name(name)}(z)")
    ax.set_title(f"z = {num(z)}  ->  a = {num(a, 3)}", fontsize=10)
    fig.tight_layout()
    return localize(fig)


def network_dot(steps) -> str:
    """A left-to-right diagram: inputs, hidden neurons with z and a, the output."""
    lines = ['digraph { rankdir=LR; splines=line; ordering=out; nodesep=0.35; node [shape=circle, fontsize=10, width=1.05, fixedsize=true];']
    names = [f"x{i + 1}" for i in range(len(steps[0].inputs))]
    for n, v in zip(names, steps[0].inputs, strict=True):
        lines.append(f'{n} [label="{n}\\n{num(v)}", style=filled, fillcolor="#e8f0fe"];')
    for li, s in enumerate(steps):
        layer_names = [f"{'h' if li < len(steps) - 1 else 'y'}{j + 1}" for j in range(len(s.z))]
        for j, n in enumerate(layer_names):
            fill = "#fde2e1" if li == len(steps) - 1 else "#fff4d6"
            lines.append(f'{n} [label="{n}\\nz={num(s.z[j])}\\na={num(s.a[j])}", style=filled, fillcolor="{fill}"];')
            for i, src in enumerate(names):
                w = s.kernel[i, j]
                colour = "#1a73e8" if w >= 0 else "#d93025"
                lines.append(f'{src} -> {n} [label="{num(w, 1)}", fontsize=8, color="{colour}", penwidth={0.5 + min(abs(w), 8) / 3:.2f}];')
        names = layer_names
    lines.append("}")
    return "\n".join(lines)


def surface_plot(net, x1: float, x2: float, title: str):
    fig, ax = plt.subplots(figsize=(3.4, 3.0), dpi=110)
    im = ax.imshow(output_surface(net), origin="lower", extent=(0, 1, 0, 1), vmin=0, vmax=1, cmap="RdBu_r")
    ax.plot([x1], [x2], "k*", ms=12)
    for cx, cy in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        ax.text(0.06 + 0.88 * cx, 0.06 + 0.88 * cy, "1" if cx != cy else "0", ha="center", va="center", fontsize=11, fontweight="bold", color="white",
                bbox={"boxstyle": "circle", "fc": "#333", "lw": 0})
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046, label=_("output y"))
    fig.tight_layout()
    return localize(fig)


def one_neuron() -> tuple[float, float]:
    """Part 1: sliders for the inputs, weights and bias; z and a with the numbers filled in. Returns (x1, x2)."""
    st.header(_("1. One neuron"))
    left, right = st.columns([1, 1.3])
    with left:
        x1 = number_slider(_("input x1"), INPUTS, 1.0, "x1")
        x2 = number_slider(_("input x2"), INPUTS, 0.0, "x2")
        w1 = number_slider(_("weight w1"), PARAMS, 1.5, "w1")
        w2 = number_slider(_("weight w2"), PARAMS, -2.0, "w2")
        b = number_slider(_("bias b"), PARAMS, -0.5, "b")
        act = language.choice(st.radio, _("activation function f"), CHOICES, format_func=act_name, horizontal=True, key="act")
    z, a = neuron([x1, x2], [w1, w2], b, act)
    with right:
        st.latex(rf"\begin{{aligned}} z &= w_1 x_1 + w_2 x_2 + b \\ &= ({tex(w1)})({tex(x1)}) + ({tex(w2)})({tex(x2)}) + ({tex(b)}) \\ &= {tex(z, 3)} \end{{aligned}}")
        st.latex(rf"a = {FORMULA[act]} \;\Rightarrow\; a = \mathrm{{{act_name(act)}}}({tex(z, 3)}) = {tex(a, 3)}")
        st.metric(_("neuron output a"), num(a, 3))
        st.pyplot(activation_plot(act, z, a), clear_figure=True)
    return x1, x2


def layer_table(s, last: bool) -> None:
    """One layer's weighted sums and activations, every number shown."""
    rows = []
    for j in range(len(s.z)):
        terms = " + ".join(f"({num(s.kernel[i, j])})({num(s.inputs[i])})" for i in range(len(s.inputs)))
        neuron_name = _("output neuron") if last else _("hidden neuron {n}").format(n=j + 1)
        rows.append({_("neuron"): neuron_name, _("weighted sum z = Σ w·x + b"): f"{terms} + ({num(s.bias[j])}) = {num(s.z[j], 3)}",
                     _("activation"): act_name(s.activation), "a = f(z)": num(s.a[j], 4)})
    n = len(s.z)
    title = (_("**Output layer** ({activation})") if last else
             ngettext("**Hidden layer**: {n} neuron ({activation})", "**Hidden layer**: {n} neurons ({activation})", n))
    st.markdown(title.format(n=n, activation=act_name(s.activation)))
    st.dataframe(rows, hide_index=True, width="stretch")


def network(x1: float, x2: float) -> None:
    """Part 2: forward propagation through the small trained XOR network."""
    st.header(_("2. Forward propagation through a small network"))
    try:
        trained = xor_network()
    except WeightsError as e:
        st.error(_("The small network's weights could not be loaded: {error}").format(error=translate(e)))
        return
    st.markdown(_(
        "This network has 2 inputs, a **hidden layer** of 3 neurons and 1 output neuron. Its weights were "
        "**trained with Keras** (`training/train_xor.py`) to compute **XOR**: output 1 when exactly one "
        "input is 1. It uses the inputs x1 and x2 from above. Each layer's outputs become the next layer's "
        "inputs: that is **forward propagation**, computed here by the same NumPy engine (`core/`) that runs "
        "every model in this suite."
    ))
    hidden_act = language.choice(st.radio, _("hidden-layer activation"), HIDDEN, horizontal=True, key="hidden_act")
    linear = hidden_act == HIDDEN[1]
    net = with_hidden_activation(trained, "linear") if linear else trained
    steps = forward_steps(net, x1, x2)
    st.graphviz_chart(network_dot(steps))
    for i, s in enumerate(steps):
        layer_table(s, last=i == len(steps) - 1)
    st.metric(_("network output y"), num(float(steps[-1].a[0]), 3))

    c1, c2 = st.columns([1, 1.2])
    with c1:
        title = _("output over all inputs (linear hidden layer)") if linear else _("output over all inputs (sigmoid hidden layer)")
        st.pyplot(surface_plot(net, x1, x2, title), clear_figure=True)
    with c2:
        st.markdown(_(
            "**Why the non-linearity matters.** Without an activation, a layer is only a weighted sum, and a "
            "weighted sum of weighted sums is still one weighted sum: the whole network collapses into a single "
            "neuron, whose output can only change along one direction (a straight line splits its 0s from its 1s). "
            "No straight line separates XOR's 1s from its 0s. With a non-linear activation such as sigmoid or "
            "ReLU, each hidden neuron bends the space, and together they can carve out the XOR pattern. "
            "Switch the hidden layer to *linear* and watch the map on the left become a plain gradient."
        ))


def real_models() -> None:
    """Part 3: links to the real models, with their size from the model cards."""
    st.header(_("3. The same engine runs the real models"))
    st.markdown(_(
        "The colorizer and the talking face are bigger networks of the same neurons: each **convolution** layer is a "
        "weighted sum plus a bias through ReLU, computed for a small window around every pixel (or every 10 ms of "
        "sound), and forward propagation carries your photo or your voice through them layer by layer."
    ))
    for label, stem, target in ((N_("Colorize"), "colorize", "colorize/page.py"), (N_("Talking face"), "lipsync", "lipsync/page.py")):
        try:
            card = read_card(WEIGHTS_DIR / stem)
        except WeightsError as e:
            st.warning(translate(e))
            continue
        kinds = [layer["type"] for layer in card["architecture"]["layers"]]
        summary = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
        text = ngettext("{model}: {weights} weights and biases in {n} layer ({summary})",
                        "{model}: {weights} weights and biases in {n} layers ({summary})", len(kinds))
        st.page_link(target, label=text.format(model=_(label), weights=count(card["parameters"]), n=len(kinds), summary=summary),
                     icon=":material/arrow_forward:")


def page() -> None:
    st.title(_("Neuron explorer"))
    st.markdown(_(
        "A **neuron** receives inputs, as a nerve cell receives signals through its *dendrites*. It multiplies each "
        "input by a **weight**, adds them up with a **bias**, and passes that **weighted sum** *z* through an "
        "**activation function** *f*, as the cell body (the *soma*) decides whether to fire along its *axon*. "
        "Move the sliders and watch every number."
    ))
    x1, x2 = one_neuron()
    network(x1, x2)
    real_models()


page()
