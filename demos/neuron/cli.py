"""`python -m demos neuron`: one neuron's numbers, then forward propagation through the XOR network."""

from __future__ import annotations

import argparse
import sys

from core.weights import WeightsError
from demos.neuron.model import CHOICES, forward_steps, neuron, xor_network


def run(args: argparse.Namespace) -> int:
    z, a = neuron([args.x1, args.x2], [args.w1, args.w2], args.b, args.activation)
    print(f"z = w1*x1 + w2*x2 + b = ({args.w1})({args.x1}) + ({args.w2})({args.x2}) + ({args.b}) = {z:.4f}")
    print(f"a = {args.activation}(z) = {a:.4f}")
    try:
        net = xor_network()
    except WeightsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"\nforward propagation through the XOR network for x = ({args.x1}, {args.x2}):")
    for s in forward_steps(net, args.x1, args.x2):
        for j in range(len(s.z)):
            print(f"  {s.name}[{j}]: z = {s.z[j]:+.4f}  a = {s.activation}(z) = {s.a[j]:.4f}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("neuron", help="compute one neuron and the small XOR network", description=__doc__)
    for name, default in (("x1", 1.0), ("x2", 0.0), ("w1", 1.5), ("w2", -2.0), ("b", -0.5)):
        p.add_argument(f"--{name}", type=float, default=default)
    p.add_argument("--activation", choices=CHOICES, default="sigmoid")
    p.set_defaults(run=run)
