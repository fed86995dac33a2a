"""Helpers of test_report_html.py, shared with other test modules."""

from __future__ import annotations

ZERO = {k: 0 for k in (
    "affected_carriers", "affected_noncarriers", "affected_missing", "unaffected_carriers",
    "unaffected_noncarriers", "unaffected_missing", "unknown_carriers", "unknown_noncarriers",
    "unknown_missing", "affected_homozygous", "unaffected_homozygous", "unknown_homozygous")}


def candidate(inheritance="AD", penetrance=0.68, flb=12.4, pp1="moderate", bs4="none",
              de_novo="no", children=(), reason=None, genotypes=None, gene="DCC", **counts):
    return {"gene": gene, "chrom": "chr18", "pos": 52340409, "ref": "G", "alt": "C",
            "clinvar_id": "", "genotypes": genotypes or {},
            "segregation": {"counts": dict(ZERO, **counts), "flb": flb, "pp1": pp1, "bs4": bs4,
                            "de_novo": de_novo, "de_novo_children": list(children),
                            "flb_reason": reason,
                            "model": {"inheritance": inheritance, "penetrance": penetrance}}}
