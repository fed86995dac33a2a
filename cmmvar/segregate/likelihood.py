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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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


def _prior(person: Person, q: np.ndarray, x_linked: bool) -> np.ndarray:
    """Hardy-Weinberg genotype frequencies of a founder (a hemizygous male: allele freq.),
    one row per allele frequency of `q` (shape (B,))."""
    if x_linked and person.male:
        return np.stack([1 - q, q], axis=1)
    return np.stack([(1 - q) ** 2, 2 * q * (1 - q), q * q], axis=1)


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
    for p in people:
        n = _states(p, x_linked)
        if p.id in weights and np.shape(weights[p.id]) != (n,):
            raise ValueError(f"{p.id}: expected {n} genotype weights, got "
                             f"{np.shape(weights[p.id])}")
    batch = {pid: np.asarray(w)[None, :] for pid, w in weights.items()}  # long double there
    return float(log_likelihoods(people, np.array([q]), batch, x_linked)[0])


def log_likelihoods(people: Sequence[Person], q: np.ndarray,
                    weights: Mapping[str, np.ndarray], x_linked: bool = False) -> np.ndarray:
    """`log_likelihood` of B problems on one pedigree at once (one elimination, a leading
    batch axis): q has shape (B,), weights[id] shape (B, states). A sensitivity table's
    ~50 likelihoods then cost about one (numpy's per-call overhead dominates small
    pedigrees)."""
    people = tuple(people)
    size = len(q)
    index = {p.id: i for i, p in enumerate(people)}
    factors: list[tuple[tuple[int, ...], np.ndarray]] = []
    log_scale = np.zeros(size)
    for i, p in enumerate(people):
        n = _states(p, x_linked)
        # a person without weights weighs 1; an all-zero row stays 0, and so does its
        # problem in _eliminate (marked dead there)
        w, logs, _ = _rescale(np.broadcast_to(
            np.asarray(weights.get(p.id, 1.0), dtype=np.longdouble), (size, n)))
        log_scale = log_scale + logs
        if p.father is None:
            factors.append(((i,), _prior(p, q, x_linked) * w))
        else:
            table = _T_X[p.male] if x_linked else _T_AUTOSOMAL
            factors.append(((i, index[p.father], index[p.mother]),
                            table[None] * w[:, :, None, None]))
    return _eliminate(factors, _elimination_order(people, x_linked), log_scale,
                      np.zeros(size, dtype=bool))


def eliminate(factors: list[tuple[tuple[int, ...], np.ndarray]], order: Sequence[int],
              log_scale: float) -> float:
    """log_scale + natural log of the sum, over every variable in `order`, of the product of
    `factors` (scope: variable numbers, one array axis each), summing the variables out in
    that order. -inf when the sum is 0. Shared with the two-site engine (pair_likelihood)."""
    batched = [(scope, array[None]) for scope, array in factors]
    return float(_eliminate(batched, order, np.array([log_scale]), np.zeros(1, dtype=bool))[0])


def _eliminate(factors: list[tuple[tuple[int, ...], np.ndarray]], order: Sequence[int],
               log_scale: np.ndarray, dead: np.ndarray) -> np.ndarray:
    """`eliminate` of B problems: every array has the batch as its first axis (not in the
    scopes), log_scale and dead (problems already known to be 0) have shape (B,)."""
    for v in order:
        touching = [f for f in factors if v in f[0]]
        factors = [f for f in factors if v not in f[0]]
        scope = sorted({u for vars_, _ in touching for u in vars_} - {v})
        labels = {u: k + 1 for k, u in enumerate(sorted(set(scope) | {v}))}  # 0: the batch
        operands = []
        for vars_, array in touching:
            operands += [array, [0] + [labels[u] for u in vars_]]
        result, logs, zero = _rescale(np.einsum(*operands, [0] + [labels[u] for u in scope]))
        log_scale, dead = log_scale + logs, dead | zero
        factors.append((tuple(scope), result))
    # every variable is summed out; the scalars left were rescaled to 1
    return np.where(dead, -math.inf, log_scale)


def _rescale(array: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each problem's entries (first axis) scaled to a maximum of 1, so products of tiny
    weights cannot underflow: (the scaled array, the logs of the scales, the problems whose
    entries are all 0, i.e. of likelihood 0)."""
    size = array.shape[0]
    peak = array.reshape(size, -1).max(axis=1)
    zero = peak <= 0.0
    peak = np.where(zero, 1.0, peak)
    return array / peak.reshape((size,) + (1,) * (array.ndim - 1)), \
        np.log(peak).astype(float), zero


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


@dataclass(frozen=True)
class Scenario:
    """The assumptions of one FLB: allele frequency, each person's penetrance vector
    (P(affected | g)) and phenotype ('affected', 'unaffected' or 'unknown'; missing: unknown)."""

    q: float
    penetrance: Mapping[str, Sequence[float]]
    phenotypes: Mapping[str, str]


def flb(people: Sequence[Person], proband: str, q: float, x_linked: bool,
        penetrance: Mapping[str, Sequence[float]], phenotypes: Mapping[str, str],
        genotypes: Mapping[str, int | None]) -> FlbResult:
    """Full-likelihood Bayes factor (Thompson, Easton & Goldgar 2003, AJHG 73:652):

        FLB = [P(G, Ph | causal) / P(g_proband, Ph | causal)] / [P(G) / P(g_proband)]

    G: every observed genotype; Ph: every phenotype; under the neutral hypothesis genotypes
    are independent of phenotypes. Conditioning on all phenotypes and the proband's genotype
    removes the ascertainment of the index case."""
    [result] = flbs(people, proband, x_linked, genotypes, [Scenario(q, penetrance, phenotypes)])
    return result


def flbs(people: Sequence[Person], proband: str, x_linked: bool,
         genotypes: Mapping[str, int | None], scenarios: Sequence[Scenario]) -> list[FlbResult]:
    """`flb` of one variant's genotypes under several scenarios (a sensitivity table), in one
    batched elimination, remembered under names that are positions in `people`: a cohort's
    families share a few shapes and genotype patterns (issue 14), so one family's computation
    serves every family of the same shape. The numbers do not depend on the names
    (elimination follows positions); names in the reasons are put back."""
    people = tuple(people)
    if proband not in {p.id for p in people}:
        raise ValueError(f"proband {proband} is not in the pedigree")
    name = {p.id: _placeholder(i) for i, p in enumerate(people)}
    shape = tuple(Person(name[p.id], p.father and name[p.father], p.mother and name[p.mother],
                         p.male) for p in people)
    results = _remembered_flbs(
        shape, name[proband], x_linked,
        tuple((name[p.id], genotypes[p.id]) for p in people if p.id in genotypes),
        tuple((s.q, tuple(tuple(s.penetrance[p.id]) for p in people),
               tuple(s.phenotypes.get(p.id, "unknown") for p in people)) for s in scenarios))
    ids = [p.id for p in people]
    return [result if result.reason is None or _PLACEHOLDER_MARK not in result.reason else
            replace(result, reason=_PLACEHOLDER.sub(lambda m: ids[int(m.group(1))],
                                                    result.reason))
            for result in results]


# Computed under placeholder names, a reason holds no real name: every mark is a placeholder.
_PLACEHOLDER_MARK = "\x00"
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def _placeholder(index: int) -> str:
    return f"{_PLACEHOLDER_MARK}{index}{_PLACEHOLDER_MARK}"


@lru_cache(maxsize=4096)  # bounded (tens of MB): memory stays flat over a cohort
def _remembered_flbs(people: tuple[Person, ...], proband: str, x_linked: bool,
                     genotypes: tuple, scenarios: tuple) -> tuple[FlbResult, ...]:
    """`_flbs` on hashable arguments: scenarios as (q, penetrance per person, phenotype per
    person), in the order of `people`."""
    return tuple(_flbs(people, proband, x_linked, dict(genotypes),
                       [Scenario(q, {p.id: f for p, f in zip(people, pen, strict=True)},
                                 {p.id: ph for p, ph in zip(people, phen, strict=True)})
                        for q, pen, phen in scenarios]))


def _flbs(people: tuple[Person, ...], proband: str, x_linked: bool,
          genotypes: Mapping[str, int | None], scenarios: Sequence[Scenario]) -> list[FlbResult]:
    """Four likelihoods per scenario (all genotypes / the proband's, causal / neutral), all
    in one `log_likelihoods` call, then the FLB or why it is undefined or 0."""
    states = {p.id: _states(p, x_linked) for p in people}
    observed = {pid: g for pid, g in genotypes.items() if g is not None and pid in states}
    proband_only = {k: v for k, v in observed.items() if k == proband}
    typed_all = {p.id: _genotype_weights(states[p.id], observed.get(p.id)) for p in people}
    typed_proband = {p.id: _genotype_weights(states[p.id], proband_only.get(p.id))
                     for p in people}
    # rows per scenario: neutral all, causal proband, causal all, neutral proband
    weights = {}
    for p in people:
        pheno = np.array([_phenotype_weights(s.penetrance[p.id], s.phenotypes[p.id])
                          for s in scenarios])
        rows = np.stack([np.broadcast_to(typed_all[p.id], pheno.shape),
                         typed_proband[p.id] * pheno, typed_all[p.id] * pheno,
                         np.broadcast_to(typed_proband[p.id], pheno.shape)], axis=1)
        weights[p.id] = rows.reshape(-1, states[p.id])
    q = np.repeat([s.q for s in scenarios], 4).astype(float)
    logs = log_likelihoods(people, q, weights, x_linked).reshape(-1, 4)
    return [_result(row, people, x_linked, s, observed, proband_only)
            for row, s in zip(logs.tolist(), scenarios, strict=True)]


def _result(logs: Sequence[float], people: tuple[Person, ...], x_linked: bool, scenario: Scenario,
            observed: Mapping[str, int], proband_only: Mapping[str, int]) -> FlbResult:
    neutral_all, causal_proband, causal_all, neutral_proband = logs
    if neutral_all == -math.inf:
        return FlbResult(None, None, "the observed genotypes are not Mendelian-consistent "
                                     "(a de novo variant or a sample/pedigree error)")
    if causal_proband == -math.inf:
        return FlbResult(None, None, "the proband's genotype and the family's phenotypes "
                                     "cannot occur together under the causal model (its "
                                     "penetrance and phenocopy rate); "
                                     + _causes(people, x_linked, scenario, proband_only))
    if causal_all == -math.inf:
        return FlbResult(0.0, None, "the genotypes and phenotypes cannot occur together under "
                                    "the causal model (its penetrance and phenocopy rate); "
                                    + _causes(people, x_linked, scenario, observed))
    log_flb = (causal_all - causal_proband) - (neutral_all - neutral_proband)
    return FlbResult(math.exp(log_flb), log_flb / math.log(10), None)


def _causes(people: tuple[Person, ...], x_linked: bool, scenario: Scenario,
            typed: Mapping[str, int]) -> str:
    """Whose data make the causal likelihood 0: each person's phenotype, and each typed
    genotype, that taken as unknown on its own makes it positive (checked one at a time)."""
    checks = []  # (label, genotypes, the person whose phenotype is unknown)
    for p in people:
        phenotype = scenario.phenotypes[p.id]
        if phenotype != "unknown":
            checks.append((f"{p.id} {phenotype}", typed, p.id))
        if p.id in typed:
            checks.append((f"{p.id} {_genotype_word(typed[p.id], _states(p, x_linked))}",
                           {k: v for k, v in typed.items() if k != p.id}, None))
    # checks is never empty: with every phenotype unknown the causal likelihoods would equal
    # the neutral ones, positive here (see _result), so someone's phenotype is known
    weights = {p.id: np.array([
        _genotype_weights(_states(p, x_linked), genotypes.get(p.id))
        * _phenotype_weights(scenario.penetrance[p.id], "unknown" if p.id == unknown
                             else scenario.phenotypes[p.id])
        for _, genotypes, unknown in checks]) for p in people}
    logs = log_likelihoods(people, np.full(len(checks), scenario.q), weights, x_linked)
    found = [label for (label, _, _), log in zip(checks, logs, strict=True) if log > -math.inf]
    if not found:
        return "no single person's phenotype or genotype is the cause, only their combination"
    return "this changes if any one of these is taken as unknown: " + ", ".join(found)
