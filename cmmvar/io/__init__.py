"""Reading the inputs: VCF/BCF records and sample columns, PED files and pedigrees, the
gene panel, the sample sheet and genome builds. Imports no other stage.
"""
