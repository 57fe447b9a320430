"""Word error rate and real-time factor on validation speakers (never trained on): ours (greedy,
with the language model, and digits-only on the digit clips) and PocketSphinx's default
US-English model, on the same clips, in one run.

    .venv/bin/python bench/stt_wer.py [--every 3] [--native] [--write-card]

Clips: every 3rd of speechocean762's test-split adults (non-native read sentences), all of AN4
test/ (words, letters, digits) and all of FSDD speaker jackson (single digits, 8 kHz);
--native adds commonvoice_en (44 native speakers). WER = (substitutions + deletions +
insertions) / reference words, summed over clips. Real-time factor = processing seconds /
audio seconds (after warm-up; decoding the file is not counted, the network and search are).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demos.audio import read_audio  # noqa: E402
from demos.stt import decoder, lm  # noqa: E402
from demos.stt.pipeline import WEIGHTS, load_model, pocketsphinx, posteriors  # noqa: E402
from training.stt_corpus import normalise, real_clips  # noqa: E402
from training.train_stt import edit_distance  # noqa: E402

SYSTEMS = ["ours greedy", "ours + LM", "ours digits-only", "PocketSphinx"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, default=3, help="take every Nth speechocean762 clip")
    ap.add_argument("--native", action="store_true", help="also commonvoice_en (native speakers)")
    ap.add_argument("--no-pocketsphinx", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="at most N clips per source (quick looks)")
    ap.add_argument("--write-card", action="store_true", help="store the figures in weights/stt.json")
    args = ap.parse_args()

    clips = real_clips("val") + (real_clips("native") if args.native else [])
    so = [c for c in clips if c[2] == "speechocean762"][:: args.every]
    clips = so + [c for c in clips if c[2] != "speechocean762"]
    if args.limit:
        clips = [c for s in dict.fromkeys(c[2] for c in clips) for c in [c for c in clips if c[2] == s][: args.limit]]
    load_model()
    lm.build(lambda f, s: print(s, file=sys.stderr))
    decoders = {"ours greedy": decoder.get("greedy"), "ours + LM": decoder.get("lm"), "ours digits-only": decoder.get("digits")}
    warm = read_audio(clips[0][0])
    for d in decoders.values():
        d(posteriors(warm))
    pocketsphinx(warm)

    # tally[source][system] = [word errors, reference words, seconds spent]; audio[source] = seconds
    tally: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0]))
    audio: dict[str, float] = defaultdict(float)
    examples: dict[str, list] = defaultdict(list)
    t_start = time.time()
    for n, (path, text, source) in enumerate(clips, 1):
        x = read_audio(path)
        ref = normalise(text).split()
        audio[source] += len(x) / 16000
        t = time.perf_counter()
        logp = posteriors(x)
        t_net = time.perf_counter() - t
        hyps = {}
        for name, dec in decoders.items():
            if name == "ours digits-only" and source != "fsdd_jackson":
                continue
            t = time.perf_counter()
            words, _ = dec(logp)
            hyps[name] = (words, t_net + time.perf_counter() - t)
        if not args.no_pocketsphinx:
            t = time.perf_counter()
            ps = pocketsphinx(x)
            hyps["PocketSphinx"] = ([normalise(w.text) for w in ps.words], time.perf_counter() - t)
        for name, (words, secs) in hyps.items():
            e = tally[source][name]
            e[0] += edit_distance(words, ref)
            e[1] += len(ref)
            e[2] += secs
        if len(examples[source]) < 3:
            examples[source].append({"ref": " ".join(ref), **{k: " ".join(w) for k, (w, _) in hyps.items()}})
        if n % 50 == 0:
            print(f"{n}/{len(clips)} clips, {time.time() - t_start:.0f} s", file=sys.stderr, flush=True)

    sources = list(tally)
    print(f"\n{len(clips)} validation clips, {sum(audio.values()) / 60:.1f} min of audio")
    print(f"{'WER':<22}" + "".join(f"{s:>16}" for s in sources) + f"{'overall*':>10}{'RTF':>8}")
    table = {}
    for name in SYSTEMS:
        if not any(name in tally[s] for s in sources):
            continue
        row = {s: tally[s][name][0] / tally[s][name][1] for s in sources if name in tally[s]}
        overall = [s for s in row if s != "commonvoice_en"]  # the validation set; the native monitor is shown apart
        errs = sum(tally[s][name][0] for s in overall)
        refs = sum(tally[s][name][1] for s in overall)
        secs = sum(tally[s][name][2] for s in row)
        rtf = secs / sum(audio[s] for s in row)
        table[name] = {"wer": {s: round(v, 4) for s, v in row.items()}, "overall_wer": round(errs / refs, 4), "rtf": round(rtf, 4), "words": int(refs)}
        print(f"{name:<22}" + "".join(f"{row[s]:>16.1%}" if s in row else f"{'-':>16}" for s in sources)
              + (f"{errs / refs:>10.1%}" if name != "ours digits-only" else f"{'-':>10}") + f"{rtf:>8.3f}")
    print("* overall = speechocean762 + an4 + fsdd_jackson (the validation set), words pooled; commonvoice_en is a separate monitor")
    words = {s: int(tally[s][SYSTEMS[1]][1]) for s in sources}
    clip_n = {s: sum(1 for c in clips if c[2] == s) for s in sources}
    print("clips:", clip_n, "reference words:", words)
    if "fsdd_jackson" in tally:
        for name in SYSTEMS:
            if name in tally["fsdd_jackson"]:
                e, r, _ = tally["fsdd_jackson"][name]
                print(f"FSDD jackson word accuracy, {name}: {1 - e / r:.1%}")
    for s in sources:
        for ex in examples[s][:2]:
            print(json.dumps(ex))
    if args.write_card:
        card = json.loads(WEIGHTS.with_suffix(".json").read_text())
        card["metrics"] = {
            "validation": f"{len(clips)} clips of validation speakers ({sum(audio.values()) / 60:.1f} min): {clip_n}; "
                          f"speechocean762 every {args.every}th clip (bench/stt_wer.py)",
            "systems": table, "overall": table.get("ours + LM", {}).get("overall_wer"),
            "summary": (f"Word error rate with the language model **{table['ours + LM']['overall_wer']:.1%}** overall "
                        f"(PocketSphinx {table['PocketSphinx']['overall_wer']:.1%}); " if "PocketSphinx" in table else "")
                       + ", ".join(f"{s}: {table['ours + LM']['wer'][s]:.1%}" for s in sources),
        }
        WEIGHTS.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")  # sha256 covers the .npz only
        print(f"wrote the figures into {WEIGHTS.with_suffix('.json')}")


if __name__ == "__main__":
    main()
