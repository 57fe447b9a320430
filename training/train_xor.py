"""Train the Neuron explorer's small network: 2 inputs -> 3 sigmoid neurons -> 1 sigmoid output,
on XOR, the classic function no single neuron (one straight line) can compute.

    python -m training.train_xor     # writes weights/neuron_xor.npz + .json
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HIDDEN = 3
EPOCHS = 2000
SEED = 1
OUT = Path(__file__).resolve().parents[1] / "weights" / "neuron_xor"


def main() -> None:
    import keras
    from keras import layers

    from training.export import export

    keras.utils.set_random_seed(SEED)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([[0], [1], [1], [0]], np.float32)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(HIDDEN, activation="sigmoid", name="hidden"), layers.Dense(1, activation="sigmoid", name="output")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
    hist = model.fit(x, y, epochs=EPOCHS, batch_size=4, verbose=0)
    pred = model(x).numpy().ravel()
    print("XOR outputs for (0,0) (0,1) (1,0) (1,1):", np.round(pred, 3), "loss", round(hist.history["loss"][-1], 4))
    assert (np.round(pred) == y.ravel()).all(), "training did not solve XOR; try another SEED"
    export(model, OUT, {
        "name": "neuron_xor",
        "task": "XOR of two inputs in [0, 1]",
        "training": {"script": "training/train_xor.py", "data": "the 4 corners of XOR", "epochs": EPOCHS, "optimizer": "Adam(0.05)", "seed": SEED},
        "metrics": {"outputs_at_corners": [round(float(v), 4) for v in pred], "final_loss": round(float(hist.history["loss"][-1]), 5)},
    })
    print(f"wrote {OUT}.npz/.json")


if __name__ == "__main__":
    main()
