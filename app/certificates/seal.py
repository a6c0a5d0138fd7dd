"""The program's own circular seal, drawn as vector art on a reportlab canvas.

The mark belongs to this training system: a navy band carrying the program's
name in gold, an inner ring, a shield with a star and "FLETC CHARLESTON".
It deliberately has no eagle and borrows nothing from the DHS or ICE seals.
Only the canvas API is used (no images), so it stays sharp at any size.
"""
from __future__ import annotations

import math

from reportlab.lib.colors import HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth

NAVY = HexColor("#0b3d6e")
GOLD = HexColor("#b08d2e")

TOP_TEXT = "IMMIGRATION AUTHORITY DELEGATION PROGRAM"
BOTTOM_TEXT = "287(g) TRAINING"
CENTER_TEXT = ("FLETC", "CHARLESTON")

_BAND_FONT = "Helvetica-Bold"
_CAP_HEIGHT = 0.718  # Helvetica's cap height, in em
_TOP_SPAN = math.radians(206)  # the arc the top text may occupy
_TRACKING = 0.06  # extra space between letters, in em
_BOTTOM_TRACKING = 0.22  # the short bottom line is spaced out a little more


def _arc_widths(text: str, font: str, size: float, tracking: float = _TRACKING) -> list[float]:
    return [stringWidth(ch, font, size) + tracking * size for ch in text]


def _text_on_arc(canvas, cx: float, cy: float, radius: float, text: str,
                 size: float, *, top: bool) -> None:
    """Set text letter by letter along an arc centred on the top or bottom."""
    tracking = _TRACKING if top else _BOTTOM_TRACKING
    widths = _arc_widths(text, _BAND_FONT, size, tracking)
    total = sum(widths) - tracking * size
    if top:
        # Read clockwise over the top; letters stand on a circle inside the band.
        baseline = radius - _CAP_HEIGHT * size / 2
        angle = math.pi / 2 + total / baseline / 2
        step = -1
    else:
        # Read counter-clockwise under the bottom; letters' tops point inwards.
        baseline = radius + _CAP_HEIGHT * size / 2
        angle = 3 * math.pi / 2 - total / baseline / 2
        step = 1
    # One text object, each letter placed by its own text matrix (rotation and
    # position): the same marks as translate/rotate/drawCentredString per letter,
    # at a fraction of the operators.
    text_object = canvas.beginText()
    text_object.setFont(_BAND_FONT, size)
    turn = -math.pi / 2 if top else math.pi / 2
    for ch, width in zip(text, widths):
        glyph = stringWidth(ch, _BAND_FONT, size)
        centre = angle + step * (glyph / 2) / baseline
        cos, sin = math.cos(centre + turn), math.sin(centre + turn)
        px, py = cx + baseline * math.cos(centre), cy + baseline * math.sin(centre)
        text_object.setTextTransform(cos, sin, -sin, cos, px - glyph / 2 * cos, py - glyph / 2 * sin)
        text_object.textOut(ch)
        angle += step * width / baseline
    canvas.drawText(text_object)


def _star_path(canvas, cx: float, cy: float, outer: float, inner: float | None = None):
    inner = outer * 0.382 if inner is None else inner
    path = canvas.beginPath()
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = math.pi / 2 + i * math.pi / 5
        x, y = cx + r * math.cos(a), cy + r * math.sin(a)
        if i == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    return path


def _shield_path(canvas, cx: float, top: float, width: float, height: float):
    half = width / 2
    shoulder = top - height * 0.45
    bottom = top - height
    path = canvas.beginPath()
    path.moveTo(cx - half, top)
    # A gentle dip in the top edge, as on a heater shield.
    path.curveTo(cx - half * 0.45, top - height * 0.05, cx + half * 0.45, top - height * 0.05,
                 cx + half, top)
    path.lineTo(cx + half, shoulder)
    path.curveTo(cx + half, bottom + height * 0.22, cx + half * 0.45, bottom + height * 0.06,
                 cx, bottom)
    path.curveTo(cx - half * 0.45, bottom + height * 0.06, cx - half, bottom + height * 0.22,
                 cx - half, shoulder)
    path.close()
    return path


def _band_font_size(band_radius: float) -> float:
    per_point = sum(_arc_widths(TOP_TEXT, _BAND_FONT, 1)) - _TRACKING
    # The baseline sits a little inside the band's middle: solve for the size.
    return _TOP_SPAN * band_radius / (per_point + _TOP_SPAN * _CAP_HEIGHT / 2)


def draw_seal(canvas, x: float, y: float, radius: float) -> None:
    """Draw the program seal centred on (x, y) with the given outer radius."""
    r = radius
    canvas.saveState()
    canvas.setLineJoin(1)

    # Outer edge: a fine gold rim around the navy band.
    canvas.setFillColor(GOLD)
    canvas.circle(x, y, r, stroke=0, fill=1)
    canvas.setFillColor(NAVY)
    canvas.circle(x, y, r * 0.965, stroke=0, fill=1)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(max(0.3, r * 0.008))
    canvas.circle(x, y, r * 0.93, stroke=1, fill=0)

    # The band's lettering, in gold.
    band_outer, band_inner = r * 0.93, r * 0.70
    band_mid = (band_outer + band_inner) / 2
    size = min(_band_font_size(band_mid), (band_outer - band_inner) * 0.62)
    canvas.setFillColor(GOLD)
    _text_on_arc(canvas, x, y, band_mid, TOP_TEXT, size, top=True)
    _text_on_arc(canvas, x, y, band_mid, BOTTOM_TEXT, size, top=False)

    # Small stars where the two inscriptions meet.
    bottom_span = sum(_arc_widths(BOTTOM_TEXT, _BAND_FONT, size, _BOTTOM_TRACKING)) / band_mid
    gap_centre = (math.pi * 2 - _TOP_SPAN - bottom_span) / 4
    for side in (-1, 1):
        a = (math.pi / 2 + _TOP_SPAN / 2 + gap_centre) if side < 0 else \
            (math.pi / 2 - _TOP_SPAN / 2 - gap_centre)
        sx, sy = x + band_mid * math.cos(a), y + band_mid * math.sin(a)
        canvas.drawPath(_star_path(canvas, sx, sy, size * 0.55), stroke=0, fill=1)

    # Inner ring: gold, then a white field with a thin navy line.
    canvas.setFillColor(GOLD)
    canvas.circle(x, y, band_inner, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.circle(x, y, band_inner * 0.955, stroke=0, fill=1)
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(max(0.25, r * 0.006))
    canvas.circle(x, y, band_inner * 0.90, stroke=1, fill=0)

    # Centre: a navy shield bearing a gold star, over the training centre's name.
    field = band_inner * 0.90
    shield_w, shield_h = field * 0.78, field * 0.92
    shield_top = y + field * 0.66
    canvas.setFillColor(NAVY)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(max(0.4, r * 0.014))
    canvas.drawPath(_shield_path(canvas, x, shield_top, shield_w, shield_h), stroke=1, fill=1)
    # A gold chief line across the shield's upper part.
    canvas.setLineWidth(max(0.3, r * 0.008))
    chief = shield_top - shield_h * 0.22
    canvas.line(x - shield_w / 2 * 0.98, chief, x + shield_w / 2 * 0.98, chief)
    for dx in (-0.26, 0, 0.26):
        canvas.setFillColor(GOLD)
        canvas.drawPath(_star_path(canvas, x + dx * shield_w, shield_top - shield_h * 0.115,
                                   shield_h * 0.06), stroke=0, fill=1)
    canvas.drawPath(_star_path(canvas, x, shield_top - shield_h * 0.55, shield_h * 0.24),
                    stroke=0, fill=1)

    # "FLETC CHARLESTON", small, under the shield.
    canvas.setFillColor(NAVY)
    name_size = field * 0.13
    canvas.setFont("Helvetica-Bold", name_size)
    base = shield_top - shield_h - name_size * 1.25
    canvas.drawCentredString(x, base, CENTER_TEXT[0])
    small = name_size * 0.78
    canvas.setFont("Helvetica", small)
    canvas.drawCentredString(x, base - small * 1.2, CENTER_TEXT[1])
    canvas.restoreState()
