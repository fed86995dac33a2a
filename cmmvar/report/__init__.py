"""The reports: ranking (ACMG criteria), wording, the pedigree drawing, the per-family and
cohort outputs and the HTML templates.
"""
