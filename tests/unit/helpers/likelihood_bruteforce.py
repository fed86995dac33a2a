"""Helpers of test_likelihood_bruteforce.py, shared with other test modules."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence

import numpy as np

from cmmvar.segregate.likelihood import Person


def examples(n: int) -> int:
    """Hypothesis examples per test: n, capped in a mutation run (scripts/mutation.py sets
    CMMVAR_MUTATION_EXAMPLES), where every mutant that survives runs every test that calls
    the engine; a cap can only let more mutants survive, never hide one."""
    cap = os.environ.get("CMMVAR_MUTATION_EXAMPLES")
    return min(n, int(cap)) if cap else n


def genotype_states(person: Person, x_linked: bool) -> tuple[int, ...]:
    """Variant-allele counts a person can have: males on X are hemizygous."""
    return (0, 1) if x_linked and person.male else (0, 1, 2)


def founder_prior(g: np.ndarray, q: float, hemizygous: bool) -> np.ndarray:
    """Hardy-Weinberg: P(0)=(1-q)^2, P(1)=2q(1-q), P(2)=q^2; a hemizygous male P(0)=1-q, P(1)=q."""
    if hemizygous:
        table = np.array([1.0 - q, q])
    else:
        table = np.array([(1.0 - q) ** 2, 2.0 * q * (1.0 - q), q * q])
    return table[g]


def autosomal_transmission(child, father, mother) -> np.ndarray:
    """P(child | father, mother): each parent with g copies passes the variant with prob g/2."""
    pf = father / 2.0
    pm = mother / 2.0
    p0 = (1 - pf) * (1 - pm)
    p1 = pf * (1 - pm) + (1 - pf) * pm
    p2 = pf * pm
    return np.where(child == 0, p0, np.where(child == 1, p1, p2))


def x_transmission(child, father, mother, child_is_male: bool) -> np.ndarray:
    """X: the mother passes the variant with prob g/2. A son's only X is his mother's; a daughter
    receives her father's single X (variant iff he has it) plus one of her mother's."""
    pm = mother / 2.0
    from_mother = child if child_is_male else child - father
    return np.where(from_mother == 1, pm, np.where(from_mother == 0, 1 - pm, 0.0))


def log_sum_exp(logs: np.ndarray) -> float:
    top = np.max(logs)
    if top == -np.inf:
        return -math.inf
    return float(top + np.log(np.sum(np.exp(logs - top))))


def brute_log_sum(
    people: Sequence[Person],
    q: float,
    factors: Mapping[str, Sequence[float]],
    x_linked: bool,
) -> float:
    """log of sum over all genotype vectors of prod founders P(g) x prod non-founders
    P(g | parents) x prod persons factors[id][g], summed in logs so nothing underflows."""
    column = {p.id: i for i, p in enumerate(people)}
    vectors = np.array(
        list(itertools.product(*(genotype_states(p, x_linked) for p in people))), dtype=np.int64
    )
    log_terms = np.zeros(len(vectors))
    with np.errstate(divide="ignore"):
        for i, p in enumerate(people):
            g = vectors[:, i]
            if p.father is None:
                prob = founder_prior(g, q, hemizygous=x_linked and p.male)
            else:
                father, mother = vectors[:, column[p.father]], vectors[:, column[p.mother]]
                if x_linked:
                    prob = x_transmission(g, father, mother, child_is_male=p.male)
                else:
                    prob = autosomal_transmission(g, father, mother)
            log_terms += np.log(prob)
            if p.id in factors:
                log_terms += np.log(np.asarray(factors[p.id], dtype=float)[g])
    return log_sum_exp(log_terms)


def phenotype_factor(pen: Sequence[float], phenotype: str) -> list[float]:
    """Under 'causal': affected f_g, unaffected 1 - f_g, unknown 1."""
    if phenotype == "affected":
        return [float(f) for f in pen]
    if phenotype == "unaffected":
        return [1.0 - float(f) for f in pen]
    return [1.0] * len(pen)


def brute_flb(
    people: Sequence[Person],
    proband: str,
    q: float,
    x_linked: bool,
    penetrance: Mapping[str, Sequence[float]],
    phenotypes: Mapping[str, str],
    genotypes: Mapping[str, int | None],
) -> tuple[str, float | None]:
    """FLB from its definition: [P(G, Ph | causal) / P(g_p, Ph | causal)] / [P(G) / P(g_p)].

    Returns ("undefined", None), ("zero", 0.0) or ("value", log FLB)."""

    def factors(observed: set[str], causal: bool) -> dict[str, list[float]]:
        out = {}
        for p in people:
            n = len(genotype_states(p, x_linked))
            f = [1.0] * n
            if causal:
                f = phenotype_factor(penetrance[p.id], phenotypes.get(p.id, "unknown"))
            if p.id in observed:
                f = [v if g == genotypes[p.id] else 0.0 for g, v in enumerate(f)]
            out[p.id] = f
        return out

    typed = {pid for pid, g in genotypes.items() if g is not None}
    proband_typed = {proband} & typed
    log_causal_all = brute_log_sum(people, q, factors(typed, True), x_linked)
    log_causal_proband = brute_log_sum(people, q, factors(proband_typed, True), x_linked)
    log_neutral_all = brute_log_sum(people, q, factors(typed, False), x_linked)
    log_neutral_proband = brute_log_sum(people, q, factors(proband_typed, False), x_linked)
    if log_neutral_all == -math.inf or log_causal_proband == -math.inf:
        return "undefined", None
    if log_causal_all == -math.inf:
        return "zero", 0.0
    return "value", (log_causal_all - log_causal_proband - log_neutral_all + log_neutral_proband)


def person(pid, father=None, mother=None, male=True) -> Person:
    return Person(
        str(pid),
        None if father is None else str(father),
        None if mother is None else str(mother),
        male,
    )
