"""Preparing the calls: extracting the panel's regions and normalising the variants.
Imports io only.
"""
