#!/usr/bin/env python3
"""Extracts the IBAN, SIREN, SIRET and NIR vectors of python-stdnum's own test suite.

Usage: extract_stdnum_vectors.py SDIST_DIR > stdnum-vectors.tsv

SDIST_DIR is the unpacked sdist (`pip download --no-deps --no-binary :all: python-stdnum`).
Reads the doctest files (tests/*.doctest) and the modules' docstrings, and writes one
`KIND<TAB>VALUE<TAB>SOURCE` line per value (SOURCE is file:line); the test feeds every value to
both `relais check-id` and stdnum, so no expected verdict is recorded here.
"""
import re
import sys
from pathlib import Path

SOURCES = {
    'iban': ['tests/test_iban.doctest', 'tests/test_be_iban.doctest', 'stdnum/iban.py',
             'stdnum/be/iban.py', 'stdnum/es/iban.py', 'stdnum/me/iban.py',
             'stdnum/no/iban.py'],
    'siren': ['tests/test_fr_siren.doctest', 'stdnum/fr/siren.py'],
    'siret': ['tests/test_fr_siret.doctest', 'stdnum/fr/siret.py'],
    'nir': ['stdnum/fr/nir.py'],
}
CALL = re.compile(r"^>>> \S*(?:validate|is_valid|to_bic|to_ccc|to_kontonr|to_siren|to_tva)"
                  r"\('([^']*)'")


def values(path):
    in_block = False
    for n, line in enumerate(path.read_text(encoding='utf-8').splitlines(), 1):
        line = line.strip()
        if re.match(r"^>>> numbers = '''", line):
            in_block = True
            continue
        if in_block:
            if line.startswith("... '''"):
                in_block = False
                continue
            value = line[4:] if line.startswith('... ') else ''
            # test_be_iban lists the BIC after the IBAN, from column 24.
            if path.name == 'test_be_iban.doctest':
                value = value[:24]
            value = value.strip()
            if value:
                yield n, value
            continue
        m = CALL.match(line)
        if m and m.group(1):
            yield n, m.group(1)


def main():
    root = Path(sys.argv[1])
    version = re.search(r"__version__ = '([^']+)'",
                        (root / 'stdnum/__init__.py').read_text(encoding='utf-8'))
    print(f'# python-stdnum {version.group(1) if version else "?"} test vectors, '
          'extracted by tests-oracle/extract_stdnum_vectors.py')
    print('# kind\tvalue\tsource (file:line in the sdist)')
    for kind, files in SOURCES.items():
        seen = set()
        for name in files:
            for n, value in values(root / name):
                if value not in seen:
                    seen.add(value)
                    print(f'{kind}\t{value}\t{name}:{n}')


if __name__ == '__main__':
    main()
