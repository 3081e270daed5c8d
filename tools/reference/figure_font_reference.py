#!/usr/bin/env python3
"""Golden advance widths for @duncan-mri/node's figure font reader (src/internal/figures/figure-font.ts).

Run from the repository root with Debian's interpreter, after `npm ci`:

    /usr/bin/python3 tools/reference/figure_font_reference.py

Opens the two DejaVu Sans files that the build copies into packages/node/dist/fonts/ (from the
dejavu-fonts-ttf package in node_modules) with fontTools, and stores for each face its unitsPerEm
and, for a list of strings (ASCII, the figures' symbols, Greek, a code point the font lacks), the
sum of the advance widths (`hmtx`) of the glyphs that the best Unicode `cmap` gives, in font
units; a code point without a glyph counts as `.notdef`. Kerning is not applied, as in the
TypeScript reader. Writes packages/node/test/reference/figure-font.json.
"""
import json
import os
import sys
from datetime import datetime, timezone

import fontTools
from fontTools.ttLib import TTFont

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FONTS = os.path.join(ROOT, 'node_modules', 'dejavu-fonts-ttf')
OUT = os.path.join(ROOT, 'packages', 'node', 'test', 'reference', 'figure-font.json')

STRINGS = [
    'SSIM per slice',
    'artefact, severity',
    'mean Dice (0 to 1)',
    '|corrected\u2212clean|',
    '\u2191 higher is better, \u2193 lower is better',
    '\u00b1 0.05 \u00d7 2',
    'WWW iii 0123456789',
    '\u03a9\u03bc\u03c3',
    'sub-01_T1w.nii.gz',
    'a\ue000b',
]


def widths(path):
    font = TTFont(path)
    cmap = font.getBestCmap()
    hmtx = font['hmtx']
    order = font.getGlyphOrder()

    def advance(text):
        return sum(hmtx[cmap.get(ord(c), order[0])][0] for c in text)

    return {
        'unitsPerEm': font['head'].unitsPerEm,
        'advances': [{'text': s, 'units': advance(s)} for s in STRINGS],
    }


def package_version():
    with open(os.path.join(FONTS, 'package.json')) as f:
        return json.load(f)['version']


result = {
    'provenance': {
        'generator': 'tools/reference/figure_font_reference.py',
        'date': datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'tool': f'fontTools {fontTools.version} (Python {sys.version.split()[0]})',
        'fonts': f'dejavu-fonts-ttf {package_version()}: ttf/DejaVuSans.ttf, ttf/DejaVuSans-Bold.ttf',
        'call': "sum(font['hmtx'][font.getBestCmap().get(ord(c), '.notdef')][0] for c in text)",
        'tolerance': 'exact (integer font units)',
    },
    'regular': widths(os.path.join(FONTS, 'ttf', 'DejaVuSans.ttf')),
    'bold': widths(os.path.join(FONTS, 'ttf', 'DejaVuSans-Bold.ttf')),
}
with open(OUT, 'w') as f:
    json.dump(result, f, indent=2, ensure_ascii=False)
    f.write('\n')
print(f'wrote {OUT}')
