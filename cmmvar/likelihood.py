"""Exact pedigree likelihoods at one biallelic locus, and the full-likelihood Bayes factor.

The likelihood sums over every unobserved genotype by variable elimination on the pedigree
graph (peeling generalised to loops, Cannings, Thompson & Skolnick 1978): one factor per
person (founder prior, or transmission from the parents), variables summed out in a greedy
minimum-size order, each intermediate rescaled so 200-member pedigrees do not underflow.
Factors are held in extended precision (numpy longdouble, exponent range to 1e-4951 on
x86-64 and aarch64), so that a product of several tiny weights inside one elimination step
keeps its precision instead of becoming a float64 subnormal.
Knows genotype probabilities over a pedigree; nothing about VCFs, genes or reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Person:
    id: str
    father: str | None  # both parents None (founder) or both set
    mother: str | None
    male: bool  # chromosomal sex; unknown sex is passed as male=False


@dataclass(frozen=True)
class FlbResult:
    value: float | None  # None when undefined
    log10: float | None  # None when undefined or when value is 0
    reason: str | None  # why undefined or zero


def _transmission_autosomal() -> np.ndarray:
    """T[c, f, m] = P(child has c ALT alleles | father f, mother m): each parent passes an
    ALT allele with probability g/2 (Mendel)."""
    table = np.zeros((3, 3, 3))
    for f in range(3):
        for m in range(3):
            pf, pm = f / 2, m / 2
            table[0, f, m] = (1 - pf) * (1 - pm)
            table[1, f, m] = pf * (1 - pm) + (1 - pf) * pm
            table[2, f, m] = pf * pm
    return table


def _transmission_x(child_male: bool) -> np.ndarray:
    """X-linked: a father (hemizygous, 0/1) gives his X to every daughter and none to his
    sons; the mother passes an ALT allele with probability g/2."""
    if child_male:
        table = np.zeros((2, 2, 3))
        for m in range(3):
            table[1, :, m] = m / 2
            table[0, :, m] = 1 - m / 2
        return table
    table = np.zeros((3, 2, 3))
    for f in range(2):
        for m in range(3):
            pm = m / 2
            table[f, f, m] += 1 - pm
            table[f + 1, f, m] += pm
    return table


_T_AUTOSOMAL = _transmission_autosomal()
_T_X = {True: _transmission_x(True), False: _transmission_x(False)}


def _states(person: Person, x_linked: bool) -> int:
    return 2 if x_linked and person.male else 3


def _prior(person: Person, q: float, x_linked: bool) -> np.ndarray:
    """Hardy-Weinberg genotype frequencies of a founder (a hemizygous male: allele freq.)."""
    if x_linked and person.male:
        return np.array([1 - q, q])
    return np.array([(1 - q) ** 2, 2 * q * (1 - q), q * q])


@lru_cache(maxsize=256)
def _elimination_order(people: tuple[Person, ...], x_linked: bool) -> tuple[int, ...]:
    """Greedy order: next the variable whose elimination makes the smallest factor.
    Depends only on the pedigree's shape, so it is computed once per family."""
    index = {p.id: i for i, p in enumerate(people)}
    size = [_states(p, x_linked) for p in people]
    scopes = []
    for i, p in enumerate(people):
        scopes.append({i} if p.father is None else {i, index[p.father], index[p.mother]})
    neighbours = {i: set() for i in range(len(people))}
    for scope in scopes:
        for v in scope:
            neighbours[v] |= scope - {v}
    order, remaining = [], set(range(len(people)))
    while remaining:
        def cost(v: int) -> tuple[int, int]:
            return (math.prod(size[u] for u in neighbours[v]), len(neighbours[v]))

        v = min(remaining, key=cost)
        for u in neighbours[v]:
            neighbours[u] |= neighbours[v] - {u}
            neighbours[u].discard(v)
        remaining.discard(v)
        order.append(v)
    return tuple(order)


def log_likelihood(people: Sequence[Person], q: float, weights: Mapping[str, Sequence[float]],
                   x_linked: bool = False) -> float:
    """Natural log of the sum over genotype vectors of founder priors x transmissions x
    weights[id][g] (g = ALT copies: 0..2, or 0..1 for a male's X). People missing from
    `weights` have weight 1 for every genotype. -inf when the sum is 0."""
    people = tuple(people)
    index = {p.id: i for i, p in enumerate(people)}
    factors: list[tuple[tuple[int, ...], np.ndarray]] = []
    log_scale = 0.0
    for i, p in enumerate(people):
        n = _states(p, x_linked)
        w = np.asarray(weights.get(p.id, np.ones(n)), dtype=np.longdouble)
        if w.shape != (n,):
            raise ValueError(f"{p.id}: expected {n} genotype weights, got {w.shape}")
        # Scale each person's weights to a maximum of 1 (logs kept aside), so products of
        # tiny weights cannot underflow before the first rescaling.
        peak = np.max(w)
        if peak <= 0.0:
            return -math.inf
        log_scale += float(np.log(peak))
        w = w / peak
        if p.father is None:
            factors.append(((i,), _prior(p, q, x_linked) * w))
        else:
            table = _T_X[p.male] if x_linked else _T_AUTOSOMAL
            factors.append(((i, index[p.father], index[p.mother]), table * w[:, None, None]))
    return eliminate(factors, _elimination_order(people, x_linked), log_scale)


def eliminate(factors: list[tuple[tuple[int, ...], np.ndarray]], order: Sequence[int],
              log_scale: float) -> float:
    """log_scale + natural log of the sum, over every variable in `order`, of the product of
    `factors` (scope: variable numbers, one array axis each), summing the variables out in
    that order. -inf when the sum is 0. Shared with the two-site engine (pair_likelihood)."""
    for v in order:
        touching = [f for f in factors if v in f[0]]
        factors = [f for f in factors if v not in f[0]]
        scope = sorted({u for vars_, _ in touching for u in vars_} - {v})
        labels = {u: k for k, u in enumerate(sorted(set(scope) | {v}))}
        operands = []
        for vars_, array in touching:
            operands += [array, [labels[u] for u in vars_]]
        result = np.einsum(*operands, [labels[u] for u in scope])
        peak = np.max(result)  # an einsum output always has at least one entry
        if peak <= 0.0:
            return -math.inf
        log_scale += float(np.log(peak))
        factors.append((tuple(scope), result / peak))
    return log_scale  # every variable is summed out; the scalars left were rescaled to 1


def _phenotype_weights(penetrance: Sequence[float], phenotype: str) -> np.ndarray:
    """P(phenotype | g): f_g if affected, 1 - f_g if unaffected, 1 if unknown."""
    f = np.asarray(penetrance, dtype=float)
    if phenotype == "affected":
        return f
    if phenotype == "unaffected":
        return 1.0 - f
    return np.ones_like(f)


def _genotype_word(copies: int, states: int) -> str:
    """A typed genotype in words: non-carrier, heterozygous, homozygous, hemizygous."""
    if copies == 0:
        return "non-carrier"
    return "hemizygous" if states == 2 else ("heterozygous" if copies == 1 else "homozygous")


def _genotype_weights(n: int, observed: int | None) -> np.ndarray:
    if observed is None:
        return np.ones(n)
    if not 0 <= observed < n:
        raise ValueError(f"genotype {observed} impossible with {n} states")
    w = np.zeros(n)
    w[observed] = 1.0
    return w


def flb(people: Sequence[Person], proband: str, q: float, x_linked: bool,
        penetrance: Mapping[str, Sequence[float]], phenotypes: Mapping[str, str],
        genotypes: Mapping[str, int | None]) -> FlbResult:
    """`_flb`, remembered: in a cohort a family's variants repeat a few genotype patterns
    per gene model, and the sensitivity table asks ~13 FLBs per variant (issue 14)."""
    return _remembered_flb(tuple(people), proband, q, x_linked,
                           tuple((pid, tuple(v)) for pid, v in penetrance.items()),
                           tuple(phenotypes.items()), tuple(genotypes.items()))


@lru_cache(maxsize=4096)  # bounded: memory stays flat over a cohort
def _remembered_flb(people: tuple[Person, ...], proband: str, q: float, x_linked: bool,
                    penetrance: tuple, phenotypes: tuple, genotypes: tuple) -> FlbResult:
    return _flb(people, proband, q, x_linked, dict(penetrance), dict(phenotypes),
                dict(genotypes))


def _flb(people: Sequence[Person], proband: str, q: float, x_linked: bool,
         penetrance: Mapping[str, Sequence[float]], phenotypes: Mapping[str, str],
         genotypes: Mapping[str, int | None]) -> FlbResult:
    """Full-likelihood Bayes factor (Thompson, Easton & Goldgar 2003, AJHG 73:652):

        FLB = [P(G, Ph | causal) / P(g_proband, Ph | causal)] / [P(G) / P(g_proband)]

    G: every observed genotype; Ph: every phenotype; under the neutral hypothesis genotypes
    are independent of phenotypes. Conditioning on all phenotypes and the proband's genotype
    removes the ascertainment of the index case."""
    people = tuple(people)
    if proband not in {p.id for p in people}:
        raise ValueError(f"proband {proband} is not in the pedigree")
    states = {p.id: _states(p, x_linked) for p in people}
    observed = {pid: g for pid, g in genotypes.items() if g is not None and pid in states}
    pheno = {p.id: _phenotype_weights(penetrance[p.id], phenotypes.get(p.id, "unknown"))
             for p in people}

    def weights(typed: Mapping[str, int], causal: bool,
                unknown: str | None = None) -> dict[str, np.ndarray]:
        """`unknown`: one person whose phenotype is taken as unknown."""
        out = {}
        for p in people:
            w = _genotype_weights(states[p.id], typed.get(p.id))
            out[p.id] = w * pheno[p.id] if causal and p.id != unknown else w
        return out

    def causes(typed: Mapping[str, int]) -> str:
        """Whose data make the causal likelihood 0: each person's phenotype, and each typed
        genotype, that taken as unknown on its own makes it positive (checked one at a time)."""
        found = []
        for p in people:
            phenotype = phenotypes.get(p.id, "unknown")
            if phenotype != "unknown" and log_likelihood(
                    people, q, weights(typed, True, unknown=p.id), x_linked) > -math.inf:
                found.append(f"{p.id} {phenotype}")
            if p.id in typed and log_likelihood(
                    people, q, weights({k: v for k, v in typed.items() if k != p.id}, True),
                    x_linked) > -math.inf:
                found.append(f"{p.id} {_genotype_word(typed[p.id], states[p.id])}")
        if not found:
            return ("no single person's phenotype or genotype is the cause, only their "
                    "combination")
        return ("this changes if any one of these is taken as unknown: " + ", ".join(found))

    proband_only = {k: v for k, v in observed.items() if k == proband}
    neutral_all = log_likelihood(people, q, weights(observed, False), x_linked)
    if neutral_all == -math.inf:
        return FlbResult(None, None, "the observed genotypes are not Mendelian-consistent "
                                     "(a de novo variant or a sample/pedigree error)")
    causal_proband = log_likelihood(people, q, weights(proband_only, True), x_linked)
    if causal_proband == -math.inf:
        return FlbResult(None, None, "the proband's genotype and the family's phenotypes "
                                     "cannot occur together under the causal model (its "
                                     "penetrance and phenocopy rate); "
                                     + causes(proband_only))
    causal_all = log_likelihood(people, q, weights(observed, True), x_linked)
    if causal_all == -math.inf:
        return FlbResult(0.0, None, "the genotypes and phenotypes cannot occur together under "
                                    "the causal model (its penetrance and phenocopy rate); "
                                    + causes(observed))
    neutral_proband = log_likelihood(people, q, weights(proband_only, False), x_linked)
    log_flb = (causal_all - causal_proband) - (neutral_all - neutral_proband)
    return FlbResult(math.exp(log_flb), log_flb / math.log(10), None)
