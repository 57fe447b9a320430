"""Make the sample speech clips the app and tests use, with Debian's flite and espeak-ng + MBROLA
(synthetic voices, no real person) and ffmpeg. Rerun to regenerate demos/samples/*.ogg.
Their sentences are kept out of the speech-to-text training text (training/stt_corpus.py).

    apt-get install flite espeak-ng mbrola-us2 ffmpeg && python -m training.make_sample_audio
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "demos" / "samples"
CLIPS = {
    "hello_slt.ogg": ("slt", "Hello! I am a talking face. Every mouth shape you see was chosen by a small neural network, one frame at a time."),
    "weather_rms.ogg": ("rms", "Tomorrow will be bright and breezy, with a few showers over the hills by evening."),
    "numbers_awb.ogg": ("awb", "My phone number is five five five, zero one nine two."),
    "digits_kal.ogg": ("kal", "Four. Seven. One. Nine. Three. Eight."),
    "directions_us2.ogg": ("espeak:mb-us2", "Turn left at the old mill and follow the river down to the bridge."),
}


def synth(voice: str, text: str, out: Path, pad_s: float = 0.4) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "a.wav"
        if voice.startswith("espeak:"):
            subprocess.run(["espeak-ng", "-v", voice.split(":")[1], "-s", "150", "-w", str(wav), text], check=True)
        else:
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(wav)], check=True)
        # Quiet lead-in and tail (the mouth should rest there), 16 kHz mono Ogg Opus: a few kB.
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-af", f"adelay={int(pad_s * 1000)},apad=pad_dur={pad_s}",
                        "-ac", "1", "-ar", "16000", "-c:a", "libopus", "-b:a", "24k", str(out)], check=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (voice, text) in CLIPS.items():
        synth(voice, text, OUT / name)
        print(f"{OUT / name}: {(OUT / name).stat().st_size} bytes")
    (OUT / "TRANSCRIPTS.tsv").write_text("".join(f"{n}\t{v}\t{t}\n" for n, (v, t) in CLIPS.items()))


if __name__ == "__main__":
    main()
