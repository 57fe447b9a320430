"""`python -m demos neuron`: one neuron's numbers, then forward propagation through the XOR network."""

from __future__ import annotations

import argparse
import sys

from core.weights import WeightsError
from demos.i18n import N_, _, num, translate
from demos.neuron.model import CHOICES, forward_steps, neuron, xor_network

LAYERS = {"hidden": N_("hidden"), "output": N_("output")}  # the XOR network's layer names, as printed


def run(args: argparse.Namespace) -> int:
    z, a = neuron([args.x1, args.x2], [args.w1, args.w2], args.b, args.activation)
    act = _(args.activation)
    x1, x2, w1, w2, b = (num(v, 2) for v in (args.x1, args.x2, args.w1, args.w2, args.b))
    print(f"z = w1*x1 + w2*x2 + b = ({w1})({x1}) + ({w2})({x2}) + ({b}) = {num(z, 4)}")
    print(f"a = {act}(z) = {num(a, 4)}")
    try:
        net = xor_network()
    except WeightsError as e:
        print(_("error: {message}").format(message=translate(e)), file=sys.stderr)
        return 1
    print("\n" + _("forward propagation through the XOR network for x = ({x1}, {x2}):").format(x1=x1, x2=x2))
    for s in forward_steps(net, args.x1, args.x2):
        for j in range(len(s.z)):
            print(f"  {_(LAYERS.get(s.name, s.name))}[{j}]: z = {num(s.z[j], 4, sign=True)}  a = {_(s.activation)}(z) = {num(s.a[j], 4)}")
    return 0


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("neuron", parents=parents, help=_("compute one neuron and the small XOR network"),
                       description=_("One neuron's weighted sum and activation, then forward propagation through the XOR network."))
    for name, default, what in (("x1", 1.0, _("input x1")), ("x2", 0.0, _("input x2")), ("w1", 1.5, _("weight w1")),
                                ("w2", -2.0, _("weight w2")), ("b", -0.5, _("bias b"))):
        p.add_argument(f"--{name}", type=float, default=default, help=_("{what} (default: {default})").format(what=what, default=num(default, 1)))
    p.add_argument("--activation", choices=CHOICES, default="sigmoid", help=_("the activation function (default: sigmoid)"))
    p.set_defaults(run=run)
