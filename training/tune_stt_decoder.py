"""Choose the decoder's settings (the language-model mix, its weight, the word score) on a
development set that is neither trained on nor used for validation: speechocean762's test-split
children (--split dev), or native Common Voice v1 clips (--split native_dev, training/stt_corpus.py).

    python -m training.tune_stt_decoder [--clips 200] [--split native_dev]
    python -m training.tune_stt_decoder --rescore --split native_dev   # a model with a phone head
    python -m training.tune_stt_decoder --rescore --split native_dev --search-lm-weight 1.5 2 3 --search-word-score 0 0.5 1

Prints WER for each setting; put the best in demos/stt/decoder.py's Settings. --rescore: the
weights that add up the proposals' score parts (letters' share, LM weight, word score), chosen
with the beam searches' settings as they are in Settings, or for each of --search-lm-weight x
--search-word-score (the beam searches' own LM weight and word score, which decide the proposals).
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from demos.audio import read_audio
from demos.stt import decoder
from demos.stt.pipeline import WEIGHTS, heads
from training.stt_corpus import normalise, real_clips
from training.train_stt import edit_distance


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=200)
    ap.add_argument("--split", default="dev", choices=["dev", "native_dev"], help="speechocean762 children, or native Common Voice v1")
    ap.add_argument("--beam", type=int, default=64)
    ap.add_argument("--general", type=float, nargs="+", default=[1.0, 0.5, 0.3], help="PocketSphinx's share of the LM mix")
    ap.add_argument("--lm-weight", type=float, nargs="+", default=[0.6, 1.0, 1.5, 2.0])
    ap.add_argument("--word-score", type=float, nargs="+", default=[-1.0, 0.0, 1.0, 2.0])
    ap.add_argument("--rescore", action="store_true", help="tune the rescoring of a phone-headed model's proposals instead")
    ap.add_argument("--char-share", type=float, nargs="+", default=[0.25, 0.4, 0.5, 0.6, 0.75, 1.0])
    ap.add_argument("--search-lm-weight", type=float, nargs="+", default=[decoder.Settings.lm_weight], help="with --rescore: the beam searches' LM weight")
    ap.add_argument("--search-word-score", type=float, nargs="+", default=[decoder.Settings.word_score], help="with --rescore: the beam searches' word score")
    ap.add_argument("--stem", default=str(WEIGHTS), help="weights to tune for")
    args = ap.parse_args()
    every = real_clips(args.split)
    clips = every[:: max(1, len(every) // args.clips)][: args.clips]
    data = [(heads(read_audio(p), stem=args.stem), normalise(t).split()) for p, t, _ in clips]
    words = sum(len(r) for _, r in data)
    greedy = sum(edit_distance(decoder.greedy(lp)[0], r) for (lp, _), r in data) / words
    print(f"{len(data)} clips, {words} words; greedy WER {greedy:.3f}")
    if args.rescore:
        rescore(args, data, words)
        return
    results = []
    for general, lm_weight, word_score in itertools.product(args.general, args.lm_weight, args.word_score):
        s = decoder.Settings(beam=args.beam, lm_weight=lm_weight, word_score=word_score, general_weight=general)
        dec = decoder.get("lm", s)
        w = sum(edit_distance(dec(lp, ph)[0], r) for (lp, ph), r in data) / words
        results.append((w, general, lm_weight, word_score))
        print(f"general LM share {general:.2f} lm_weight {lm_weight:.1f} word_score {word_score:+.1f}: WER {w:.3f}", flush=True)
    print("best:", min(results))


def rescore(args, data: list, words: int) -> None:
    """For each beam-search setting, each clip's proposals and score parts once, then every mix of the parts."""
    results = []
    for search_lm, search_ws in itertools.product(args.search_lm_weight, args.search_word_score):
        dec = decoder.get("lm", decoder.Settings(lm_weight=search_lm, word_score=search_ws))
        if getattr(dec, "phone_decoder", None) is None or data[0][0][1] is None:
            raise SystemExit("--rescore needs a model with a phone head and the language model")
        found = [(dec.proposals(lp, ph), r) for (lp, ph), r in data]
        for share, lm_weight, word_score in itertools.product(args.char_share, args.lm_weight, args.word_score):
            mix = np.array([share, 1 - share, lm_weight, word_score])
            w = sum(edit_distance(list(c[int(np.argmax(parts @ mix))]), r) for (c, _, parts), r in found) / words
            results.append((w, search_lm, search_ws, share, lm_weight, word_score))
            print(f"search lm_weight {search_lm:.1f} word_score {search_ws:+.1f}; rescoring: letters' share {share:.2f} "
                  f"lm_weight {lm_weight:.1f} word_score {word_score:+.1f}: WER {w:.3f}", flush=True)
    print("best (WER, search lm_weight, search word_score, letters' share, lm_weight, word_score):", min(results))


if __name__ == "__main__":
    main()
