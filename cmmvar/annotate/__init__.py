"""Annotating the variants: consequences on the MANE transcripts, gnomAD and ClinVar,
the online services and the offline resources. Imports io and prepare, never segregate or report.
"""
