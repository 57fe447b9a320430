"""Neuron explorer: a weighted sum plus a bias through an activation, then a network of them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from core import activations  # noqa: E402
from core.weights import WeightsError, read_card  # noqa: E402
from demos.neuron.model import CHOICES, WEIGHTS_DIR, forward_steps, neuron, output_surface, with_hidden_activation, xor_network  # noqa: E402

FORMULA = {"sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}", "relu": r"\mathrm{ReLU}(z) = \max(0, z)", "tanh": r"\tanh(z)"}


def activation_plot(name: str, z: float, a: float):
    zs = np.linspace(-6, 6, 241, dtype=np.float32)
    fig, ax = plt.subplots(figsize=(4.2, 2.8), dpi=110)
    ax.plot(zs, activations.get(name)(zs.copy()), lw=2, color="#1f77b4")
    ax.axhline(0, color="#999", lw=0.6)
    ax.axvline(0, color="#999", lw=0.6)
    ax.plot([max(min(z, 6), -6)], [a], "o", ms=9, color="#d62728")
    ax.set_xlabel("z (weighted sum + bias)")
    ax.set_ylabel(f"a = {name}(z)")
    ax.set_title(f"z = {z:.2f}  ->  a = {a:.3f}", fontsize=10)
    fig.tight_layout()
    return fig


def network_dot(steps) -> str:
    """A left-to-right diagram: inputs, hidden neurons with z and a, the output."""
    lines = ['digraph { rankdir=LR; splines=line; ordering=out; nodesep=0.35; node [shape=circle, fontsize=10, width=1.05, fixedsize=true];']
    names = [f"x{i + 1}" for i in range(len(steps[0].inputs))]
    for n, v in zip(names, steps[0].inputs, strict=True):
        lines.append(f'{n} [label="{n}\\n{v:.2f}", style=filled, fillcolor="#e8f0fe"];')
    for li, s in enumerate(steps):
        layer_names = [f"{'h' if li < len(steps) - 1 else 'y'}{j + 1}" for j in range(len(s.z))]
        for j, n in enumerate(layer_names):
            fill = "#fde2e1" if li == len(steps) - 1 else "#fff4d6"
            lines.append(f'{n} [label="{n}\\nz={s.z[j]:.2f}\\na={s.a[j]:.2f}", style=filled, fillcolor="{fill}"];')
            for i, src in enumerate(names):
                w = s.kernel[i, j]
                colour = "#1a73e8" if w >= 0 else "#d93025"
                lines.append(f'{src} -> {n} [label="{w:.1f}", fontsize=8, color="{colour}", penwidth={0.5 + min(abs(w), 8) / 3:.2f}];')
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
    fig.colorbar(im, ax=ax, fraction=0.046, label="output y")
    fig.tight_layout()
    return fig


def page() -> None:
    st.title("Neuron explorer")
    st.markdown(
        "A **neuron** multiplies each input by a **weight**, adds them up with a **bias**, and passes "
        "that **weighted sum** *z* through an **activation function** *f*. Move the sliders and watch every number."
    )

    st.header("1. One neuron")
    left, right = st.columns([1, 1.3])
    with left:
        x1 = st.slider("input x1", 0.0, 1.0, 1.0, 0.05, key="x1")
        x2 = st.slider("input x2", 0.0, 1.0, 0.0, 0.05, key="x2")
        w1 = st.slider("weight w1", -4.0, 4.0, 1.5, 0.1, key="w1")
        w2 = st.slider("weight w2", -4.0, 4.0, -2.0, 0.1, key="w2")
        b = st.slider("bias b", -4.0, 4.0, -0.5, 0.1, key="b")
        act = st.radio("activation f", CHOICES, horizontal=True, key="act")
    z, a = neuron([x1, x2], [w1, w2], b, act)
    with right:
        st.latex(rf"\begin{{aligned}} z &= w_1 x_1 + w_2 x_2 + b \\ &= ({w1:.2f})({x1:.2f}) + ({w2:.2f})({x2:.2f}) + ({b:.2f}) \\ &= {z:.3f} \end{{aligned}}")
        st.latex(rf"a = {FORMULA[act]} \;\Rightarrow\; a = \mathrm{{{act}}}({z:.3f}) = {a:.3f}")
        st.metric("neuron output a", f"{a:.3f}")
        st.pyplot(activation_plot(act, z, a), clear_figure=True)

    st.header("2. Forward propagation through a small network")
    try:
        trained = xor_network()
    except WeightsError as e:
        st.error(f"The small network's weights could not be loaded: {e}")
        return
    st.markdown(
        "This network has 2 inputs, a hidden layer of 3 neurons and 1 output neuron. Its weights were "
        "**trained with Keras** (`training/train_xor.py`) to compute **XOR**: output 1 when exactly one "
        "input is 1. It uses the inputs x1 and x2 from above. Each layer's outputs become the next layer's "
        "inputs: that is **forward propagation**, computed here by the same NumPy engine (`core/`) that runs "
        "every model in this suite."
    )
    hidden_act = st.radio("hidden-layer activation", ("sigmoid (as trained)", "linear (no activation)"), horizontal=True, key="hidden_act")
    net = trained if hidden_act.startswith("sigmoid") else with_hidden_activation(trained, "linear")
    steps = forward_steps(net, x1, x2)
    st.graphviz_chart(network_dot(steps))
    for s in steps:
        rows = []
        for j in range(len(s.z)):
            terms = " + ".join(f"({s.kernel[i, j]:.2f})({s.inputs[i]:.2f})" for i in range(len(s.inputs)))
            rows.append({"neuron": f"{s.name} {j + 1}", "weighted sum z = Σ w·x + b": f"{terms} + ({s.bias[j]:.2f}) = {s.z[j]:.3f}",
                         "activation": s.activation, "a = f(z)": round(float(s.a[j]), 4)})
        st.markdown(f"**Layer `{s.name}`** ({s.activation})")
        st.dataframe(rows, hide_index=True, width="stretch")
    y = float(steps[-1].a[0])
    st.metric("network output y", f"{y:.3f}")

    c1, c2 = st.columns([1, 1.2])
    with c1:
        st.pyplot(surface_plot(net, x1, x2, f"output over all inputs ({hidden_act.split(' ')[0]} hidden layer)"), clear_figure=True)
    with c2:
        st.markdown(
            "**Why the non-linearity matters.** Without an activation, a layer is only a weighted sum, and a "
            "weighted sum of weighted sums is still one weighted sum: the whole network collapses into a single "
            "neuron, whose output can only change along one direction (a straight line splits its 0s from its 1s). "
            "No straight line separates XOR's 1s from its 0s. With a non-linear activation such as sigmoid or "
            "ReLU, each hidden neuron bends the space, and together they can carve out the XOR pattern. "
            "Switch the hidden layer to *linear* and watch the map on the left become a plain gradient."
        )

    st.header("3. The same engine runs the real models")
    st.markdown(
        "The colorizer and the talking face are bigger networks of the same neurons: each **convolution** layer is a "
        "weighted sum plus a bias through ReLU, computed for a small window around every pixel (or every 10 ms of "
        "sound), and forward propagation carries your photo or your voice through them layer by layer."
    )
    for label, stem, target in (("Colorize", "colorize", "colorize/page.py"), ("Talking face", "lipsync", "lipsync/page.py")):
        try:
            card = read_card(WEIGHTS_DIR / stem)
        except WeightsError as e:
            st.warning(str(e))
            continue
        kinds = [layer["type"] for layer in card["architecture"]["layers"]]
        summary = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
        st.page_link(target, label=f"{label}: {card['parameters']:,} weights and biases in {len(kinds)} layers ({summary})",
                     icon=":material/arrow_forward:")


page()
