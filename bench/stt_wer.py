"""Word error rate and real-time factor on validation speakers (never trained on): ours (greedy,
with the language model, and digits-only on the digit clips) and PocketSphinx's default
US-English model, on the same clips, in one run; native and non-native reported apart.

    .venv/bin/python bench/stt_wer.py [--every 3] [--no-native] [--show 20] [--write-card]

Non-native and digits: every 3rd of speechocean762's test-split adults (read sentences), all of
AN4 test/ (words, letters, digits) and all of FSDD speaker jackson (single digits, 8 kHz).
Native (training/stt_corpus.py `real_clips("native")`): commonvoice_en (44 speakers), Common
Voice 6.1 clips with no accent given (46 speakers) and every 5th Asterisk prompt (one US speaker,
8 kHz telephone prompts). WER = (substitutions + deletions + insertions) / reference words,
summed over clips. Real-time factor = processing seconds / audio seconds (after warm-up;
decoding the file is not counted, the network and search are). Also prints how many native
sentences the training transcripts say verbatim, and --show N native transcripts beside their references.
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
from demos.stt.pipeline import WEIGHTS, heads, load_model, pocketsphinx  # noqa: E402
from training.stt_corpus import normalise, real_clips, speaker  # noqa: E402
from training.train_stt import edit_distance  # noqa: E402

SYSTEMS = ["ours greedy", "ours + LM", "ours + LM, letters only", "ours digits-only", "PocketSphinx"]
NON_NATIVE = ["speechocean762", "an4", "fsdd_jackson"]
DOMAIN_LM = ROOT / "weights" / "stt_domain.arpa"


def overlap_report(native: list[tuple[Path, str, str]]) -> None:
    """How many native validation sentences the real training transcripts say verbatim (with the
    ban on validation sentences lifted, so what a model trained before the ban may have heard),
    and how many have every bigram in the in-domain LM."""
    heard = {normalise(t) for _, t, _ in real_clips("train", keep_val_sentences=True)}
    said = [normalise(t) for _, t, _ in native]
    both = [t for t in said if t in heard]
    bigrams, section = set(), False
    for line in DOMAIN_LM.open():
        section = line.startswith("\\2-grams") or (section and not line.startswith("\\"))
        if section and "\t" in line:
            bigrams.add(line.split("\t")[1].strip())
    covered = [t for t in said if all(f"{a} {b}" in bigrams for a, b in zip(["<s>", *t.split()], [*t.split(), "</s>"], strict=False))]
    print(f"native sentences in the training transcripts verbatim: {len(both)} of {len(said)} "
          f"({sum(len(t.split()) > 1 for t in both)} of more than one word): {sorted(set(both))}")
    print(f"native sentences with every bigram in {DOMAIN_LM.name}: {len(covered)}: {sorted(set(covered))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, default=3, help="take every Nth speechocean762 clip")
    ap.add_argument("--no-native", action="store_true", help="leave out the native validation split")
    ap.add_argument("--show", type=int, default=0, help="print N native transcripts (evenly spread) beside their references")
    ap.add_argument("--no-pocketsphinx", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="at most N clips per source (quick looks)")
    ap.add_argument("--write-card", action="store_true", help="store the figures in weights/stt.json")
    args = ap.parse_args()

    native = [] if args.no_native else real_clips("native")
    clips = real_clips("val") + native
    so = [c for c in clips if c[2] == "speechocean762"][:: args.every]
    clips = so + [c for c in clips if c[2] != "speechocean762"]
    if args.limit:
        clips = [c for s in dict.fromkeys(c[2] for c in clips) for c in [c for c in clips if c[2] == s][: args.limit]]
    _net, card = load_model()
    lm.build(lambda f, s: print(s, file=sys.stderr))
    decoders = {"ours greedy": decoder.get("greedy"), "ours + LM": decoder.get("lm"), "ours digits-only": decoder.get("digits")}
    if card["preprocessing"].get("phones"):  # what the phone head buys: the same model read with its letters alone
        decoders["ours + LM, letters only"] = lambda logp, phones: decoders["ours + LM"](logp)
    warm = read_audio(clips[0][0])
    for d in decoders.values():
        d(*heads(warm))
    pocketsphinx(warm)

    # tally[source][system] = [word errors, reference words, seconds spent]; audio[source] = seconds
    tally: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0]))
    audio: dict[str, float] = defaultdict(float)
    examples: dict[str, list] = defaultdict(list)
    shown: list[dict] = []
    t_start = time.time()
    for n, (path, text, source) in enumerate(clips, 1):
        x = read_audio(path)
        ref = normalise(text).split()
        audio[source] += len(x) / 16000
        t = time.perf_counter()
        logp, phones = heads(x)
        t_net = time.perf_counter() - t
        hyps = {}
        for name, dec in decoders.items():
            if name == "ours digits-only" and source != "fsdd_jackson":
                continue
            t = time.perf_counter()
            words, _ = dec(logp, phones)
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
        said = {"source": source, "ref": " ".join(ref), **{k: " ".join(w) for k, (w, _) in hyps.items()}}
        if len(examples[source]) < 3:
            examples[source].append(said)
        if source not in NON_NATIVE:
            shown.append(said)
        if n % 50 == 0:
            print(f"{n}/{len(clips)} clips, {time.time() - t_start:.0f} s", file=sys.stderr, flush=True)

    sources = list(tally)
    native_sources = [s for s in sources if s not in NON_NATIVE]
    clip_n = {s: sum(1 for c in clips if c[2] == s) for s in sources}
    who = {s: {speaker(p, s) for p, _, src in clips if src == s} for s in native_sources}
    print(f"\n{len(clips)} validation clips, {sum(audio.values()) / 60:.1f} min of audio")
    names = [n for n in SYSTEMS if any(n in tally[s] for s in sources)]
    print(f"{'WER':<34}{'clips':>6}{'spk':>5}{'min':>6}{'words':>7}" + "".join(f"{n:>18}" for n in names))
    table = {n: {"wer": {}} for n in names}

    def row(label: str, group: list[str]) -> None:
        cells = []
        for n in names:
            have = [s for s in group if n in tally[s]] if len(group) == 1 or all(n in tally[s] for s in group) else []
            errs, refs = sum(tally[s][n][0] for s in have), sum(tally[s][n][1] for s in have)
            cells.append(f"{errs / refs:>18.1%}" if refs else f"{'-':>18}")
            if refs and len(group) == 1:
                table[n]["wer"][group[0]] = round(errs / refs, 4)
            elif refs:
                table[n]["overall_wer" if group == NON_NATIVE else "native_wer"] = round(errs / refs, 4)
                table[n]["words" if group == NON_NATIVE else "native_words"] = int(refs)
        spk = len(set().union(*(who[s] for s in group))) if all(s in native_sources for s in group) else "-"
        print(f"{label:<34}{sum(clip_n[s] for s in group):>6}{spk:>5}{sum(audio[s] for s in group) / 60:>6.1f}"
              f"{sum(tally[s][SYSTEMS[1]][1] for s in group):>7.0f}" + "".join(cells))

    for s in sources:
        row(s, [s])
    if native_sources:
        row("NATIVE overall (words pooled)", native_sources)
    row("NON-NATIVE + digits overall", [s for s in NON_NATIVE if s in sources])
    rtf = {n: sum(tally[s][n][2] for s in sources if n in tally[s]) / sum(audio[s] for s in sources if n in tally[s]) for n in names}
    print(f"{'real-time factor (all clips)':<58}" + "".join(f"{rtf[n]:>18.3f}" for n in names))
    for n in names:
        table[n]["rtf"] = round(rtf[n], 4)
    if "fsdd_jackson" in tally:
        for name in SYSTEMS:
            if name in tally["fsdd_jackson"]:
                e, r, _ = tally["fsdd_jackson"][name]
                print(f"FSDD jackson word accuracy, {name}: {1 - e / r:.1%}")
    for s in sources:
        for ex in examples[s][:2]:
            print(json.dumps(ex))
    if native:
        overlap_report(native)
    for ex in shown[:: max(1, len(shown) // args.show)][: args.show] if args.show else []:
        print("\n" + "\n".join(f"  {k:>14}: {v}" for k, v in ex.items()))
    if args.write_card:
        card = json.loads(WEIGHTS.with_suffix(".json").read_text())
        lm_row, ps_row = table["ours + LM"], table.get("PocketSphinx", {})
        card["metrics"] = {
            "validation": f"{len(clips)} clips of validation speakers ({sum(audio.values()) / 60:.1f} min): {clip_n}; "
                          f"native speakers { {s: len(who[s]) for s in who} }; speechocean762 every {args.every}th clip "
                          f"(bench/stt_wer.py --every {args.every} --show {args.show})",
            "systems": table, "overall": lm_row.get("overall_wer"), "native": lm_row.get("native_wer"),
            "summary": (f"Word error rate with the language model: native English **{lm_row['native_wer']:.1%}** "
                        f"(PocketSphinx {ps_row['native_wer']:.1%}), non-native and digits **{lm_row['overall_wer']:.1%}** "
                        f"(PocketSphinx {ps_row['overall_wer']:.1%}); " if ps_row and "native_wer" in lm_row else "")
                       + ", ".join(f"{s}: {lm_row['wer'][s]:.1%}" for s in sources),
        }
        WEIGHTS.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")  # sha256 covers the .npz only
        print(f"wrote the figures into {WEIGHTS.with_suffix('.json')}")


if __name__ == "__main__":
    main()
