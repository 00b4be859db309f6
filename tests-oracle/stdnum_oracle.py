#!/usr/bin/env python3
"""python-stdnum's verdict on `KIND<TAB>VALUE` lines (the input of `relais check-id`).

Prints one line per input: `true`/`false` (stdnum's is_valid), then, for IBANs, whether the
IBAN is valid without stdnum's country modules (`iban.is_valid(x, check_country=False)`) and
whether stdnum knows a Belgian IBAN's bank; `-` elsewhere. The test uses the last two columns
to name the deliberate differences (docs/identifiants.md).
"""
import sys

from stdnum import iban
from stdnum.be import iban as be_iban
from stdnum.fr import nir, siren, siret

MODULES = {'iban': iban, 'siren': siren, 'siret': siret, 'nir': nir}


def verdict(kind, value):
    module = MODULES.get(kind)
    if module is None:
        return 'false\t-\t-'
    valid = 'true' if module.is_valid(value) else 'false'
    if kind != 'iban':
        return f'{valid}\t-\t-'
    base = 'true' if iban.is_valid(value, check_country=False) else 'false'
    compact = iban.compact(value)
    try:
        bank = 'true' if compact.startswith('BE') and be_iban.info(compact) else 'false'
    except Exception:  # noqa: BLE001 - any failure means an unknown bank
        bank = 'false'
    return f'{valid}\t{base}\t{bank}'


def main():
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip('\n').rstrip('\r')
        kind, _, value = line.partition('\t')
        out.write(verdict(kind.strip().lower(), value) + '\n')


if __name__ == '__main__':
    main()
