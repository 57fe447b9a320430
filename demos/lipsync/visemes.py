"""Mouth shapes (Rhubarb Lip Sync's set) and the mapping from ARPAbet phones to them.

    A  closed: P, B, M                       E  slightly rounded: AO (off), ER (bird), UH, OW's start
    B  slightly open, teeth together: most   F  puckered: UW (you), W, OW (show)
       consonants (K, S, T, D, N...), IY, IH  G  upper teeth on lower lip: F, V
    C  open: EH (men), AE (bat), AH, EY       H  tongue raised: L
    D  wide open: AA (father), AW, AY         X  rest: silence
"""

from __future__ import annotations

from demos.i18n import N_

SHAPES = ["A", "B", "C", "D", "E", "F", "G", "H", "X"]
DESCRIPTION = {  # msgids: the page shows them translated
    "A": N_("closed (P, B, M)"), "B": N_("slightly open, teeth together (most consonants, EE)"), "C": N_("open (EH, AE, AH)"),
    "D": N_("wide open (AA)"), "E": N_("slightly rounded (AO, ER)"), "F": N_("puckered (OO, W)"), "G": N_("teeth on lip (F, V)"),
    "H": N_("tongue up (L)"), "X": N_("rest (silence)"),
}
PHONE_TO_SHAPE = {
    "P": "A", "B": "A", "M": "A",
    "F": "G", "V": "G",
    "L": "H",
    "W": "F", "UW": "F", "OW": "F", "OY": "E",
    "AO": "E", "ER": "E", "UH": "E", "R": "E",
    "AA": "D", "AW": "D", "AY": "D",
    "AE": "C", "AH": "C", "EH": "C", "EY": "C",
    "IY": "B", "IH": "B", "Y": "B",
    "T": "B", "D": "B", "K": "B", "G": "B", "N": "B", "NG": "B", "S": "B", "Z": "B", "SH": "B", "ZH": "B",
    "CH": "B", "JH": "B", "TH": "B", "DH": "B", "HH": "B",
}
# How open each shape is (0 closed .. 1 wide), how wide, how round: the renderers draw from these.
GEOMETRY = {
    "A": (0.00, 0.50, 0.0), "B": (0.12, 0.55, 0.0), "C": (0.45, 0.55, 0.0), "D": (0.85, 0.60, 0.0),
    "E": (0.40, 0.42, 0.5), "F": (0.22, 0.28, 1.0), "G": (0.08, 0.52, 0.0), "H": (0.40, 0.50, 0.0), "X": (0.03, 0.48, 0.0),
}


def shape_of(phone: str) -> str:
    """The mouth shape for an ARPAbet phone (stress digits ignored); silence and noise -> X."""
    return PHONE_TO_SHAPE.get(phone.rstrip("012").upper(), "X")


def shape_index(phone: str) -> int:
    return SHAPES.index(shape_of(phone))
