"""The segregation evidence: genotype calls with their QC, the pedigree likelihood engine
(which knows no VCF), FLBs, PP1/BS4 strengths and their sensitivity. Never imports report.
"""
