"""Compare exported speech-to-text weights on a development set, neither trained on nor validation
(speechocean762's test-split children, or --split native_dev: native Common Voice v1 clips),
through the app's own pipeline and decoder.

    python -m training.compare_stt_weights weights/stt training/runs/stt_accel/ft [--clips 300] [--split native_dev]

Prints greedy CER and WER and the WER with the language model for each stem (and, where the
model has a phone head, the WER read with the letters and the phones).
"""

from __future__ import annotations

import argparse

from demos.audio import read_audio
from demos.stt import decoder
from demos.stt.pipeline import heads
from training.stt_corpus import normalise, real_clips
from training.train_stt import edit_distance


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stems", nargs="+")
    ap.add_argument("--clips", type=int, default=300)
    ap.add_argument("--split", default="dev", choices=["dev", "native_dev"])
    args = ap.parse_args()
    clips = real_clips(args.split)
    clips = clips[:: max(1, len(clips) // args.clips)][: args.clips]
    audio = [(read_audio(p), normalise(t)) for p, t, _ in clips]
    chars, words = sum(len(t) for _, t in audio), sum(len(t.split()) for _, t in audio)
    lm = decoder.get("lm", decoder.Settings())
    print(f"{len(audio)} {args.split} clips, {words} words")
    for stem in args.stems:
        e = [0, 0, 0, 0]
        for x, ref in audio:
            lp, phones = heads(x, stem=stem)
            hyp = decoder.greedy(lp)[0]
            e[0] += edit_distance(list(" ".join(hyp)), list(ref))
            e[1] += edit_distance(hyp, ref.split())
            e[2] += edit_distance(lm(lp)[0], ref.split())
            e[3] += edit_distance(lm(lp, phones)[0], ref.split()) if phones is not None else 0
        both = f"; letters + phones WER {e[3] / words:.4f}" if phones is not None else ""
        print(f"{stem}: greedy CER {e[0] / chars:.4f} WER {e[1] / words:.4f}; with the LM WER {e[2] / words:.4f}{both}", flush=True)


if __name__ == "__main__":
    main()
