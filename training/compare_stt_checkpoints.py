"""Which to export: the last checkpoint, or the mean of the last few? Greedy error rates on the
development set (speechocean762's test-split children: neither trained on nor validation).

    python -m training.compare_stt_checkpoints [--clips 300] [--max-average 5]

Then: python -m training.train_stt --export --average N
"""

from __future__ import annotations

import argparse

from demos.audio import read_audio
from demos.features import log_mel
from training.stt_corpus import N_MELS, RUN, normalise, real_clips
from training.train_stt import evaluate, last_checkpoints, mean_weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=300)
    ap.add_argument("--max-average", type=int, default=5)
    args = ap.parse_args()
    import keras

    clips = real_clips("dev")
    clips = clips[:: max(1, len(clips) // args.clips)][: args.clips]
    data = [(log_mel(read_audio(p), N_MELS), normalise(t), "dev") for p, t, _ in clips]
    kept, weights = last_checkpoints(args.max_average)
    model = keras.models.load_model(RUN / "last.keras", compile=False)
    print(f"{len(data)} dev clips; checkpoints {[p.name for p in kept]}")
    print("last", evaluate(model, data), flush=True)
    for n in range(2, len(kept) + 1):
        model.set_weights(mean_weights(weights[-n:]))
        print(f"mean of last {n}", evaluate(model, data), flush=True)


if __name__ == "__main__":
    main()
