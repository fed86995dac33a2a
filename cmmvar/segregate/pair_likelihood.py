"""Exact pedigree likelihoods of two variant sites of one recessive gene taken together (a
possible compound heterozygote), the pair's full-likelihood Bayes factor and its phase.

No recombination between the sites: a person passes one of their two haplotypes whole. A
haplotype h is 0..3, its site-1 allele h & 1 and its site-2 allele h >> 1 (00, 10, 01, 11); a
person's state is an unordered pair of haplotypes (10 states), a male's X one haplotype (4).
Founders' haplotypes are in linkage equilibrium at the two allele frequencies. A person is
biallelic when every haplotype they carry holds at least one variant. The sum over states uses
likelihood.eliminate, the single-site engine's variable elimination.
Knows haplotype probabilities over a pedigree; nothing about genes or reports, and of VCFs only
what a phased GT and its PS say about phase (call_phase).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cmmvar.segregate.likelihood import FlbResult, Person, _elimination_order, eliminate

PAIRS = tuple((a, b) for a in range(4) for b in range(a, 4))  # a diploid person's 10 states
_STATE = {**{pair: s for s, pair in enumerate(PAIRS)},
          **{(b, a): s for s, (a, b) in enumerate(PAIRS)}}
CIS, TRANS = "cis", "trans"
# The one genotype that phase splits: heterozygous at both sites, either both variants on one
# haplotype (00 with 11) or one on each (10 with 01).
_PHASE_STATE = {CIS: _STATE[(0, 3)], TRANS: _STATE[(1, 2)]}


def _haplotypes(states: int) -> tuple[tuple[int, ...], ...]:
    """The haplotypes carried in each state: a pair, or a hemizygous male's one."""
    return PAIRS if states == len(PAIRS) else tuple((h,) for h in range(4))


def _transmission_autosomal() -> np.ndarray:
    """T[c, f, m] = P(child state c | father f, mother m): each parent passes either of
    their haplotypes with probability 1/2, whole (no recombination)."""
    table = np.zeros((10, 10, 10))
    for f, father in enumerate(PAIRS):
        for m, mother in enumerate(PAIRS):
            for hf in father:
                for hm in mother:
                    table[_STATE[(hf, hm)], f, m] += 0.25
    return table


def _transmission_x(child_male: bool) -> np.ndarray:
    """X: a father (one haplotype, 4 states) gives his X to every daughter and none to his
    sons; the mother passes either of her haplotypes with probability 1/2."""
    table = np.zeros((4 if child_male else 10, 4, 10))
    for hf in range(4):
        for m, mother in enumerate(PAIRS):
            for hm in mother:
                table[hm if child_male else _STATE[(hf, hm)], hf, m] += 0.5
    return table


_T_AUTOSOMAL = _transmission_autosomal()
_T_X = {True: _transmission_x(True), False: _transmission_x(False)}


def _states(person: Person, x_linked: bool) -> int:
    return 4 if x_linked and person.male else len(PAIRS)


def _prior(person: Person, q1: float, q2: float, x_linked: bool) -> np.ndarray:
    """A founder's state frequencies: haplotype frequencies p(h) = P(site-1 allele) x
    P(site-2 allele) (linkage equilibrium), a pair {a, b} with p(a)p(b), twice if a != b."""
    p = np.array([(q1 if h & 1 else 1 - q1) * (q2 if h >> 1 else 1 - q2) for h in range(4)])
    if x_linked and person.male:
        return p
    return np.array([p[a] * p[b] * (1 if a == b else 2) for a, b in PAIRS])


def copies(states: int, site: int) -> np.ndarray:
    """ALT copies at site 1 or 2 in each state."""
    bit = site - 1
    return np.array([sum(h >> bit & 1 for h in haps) for haps in _haplotypes(states)])


def biallelic(states: int) -> np.ndarray:
    """True in each state whose every haplotype holds at least one of the two variants."""
    return np.array([all(h != 0 for h in haps) for haps in _haplotypes(states)])


def pair_log_likelihood(people: Sequence[Person], q1: float, q2: float,
                        weights: Mapping[str, Sequence[float]],
                        x_linked: bool = False) -> float:
    """Natural log of the sum over state vectors of founder priors x transmissions x
    weights[id][state] (states as in PAIRS, or haplotypes 0..3 for a male's X). People
    missing from `weights` weigh 1 in every state. -inf when the sum is 0."""
    people = tuple(people)
    index = {p.id: i for i, p in enumerate(people)}
    factors: list[tuple[tuple[int, ...], np.ndarray]] = []
    log_scale = 0.0
    for i, p in enumerate(people):
        n = _states(p, x_linked)
        w = np.asarray(weights.get(p.id, np.ones(n)), dtype=np.longdouble)
        if w.shape != (n,):
            raise ValueError(f"{p.id}: expected {n} state weights, got {w.shape}")
        peak = np.max(w)  # scaled to 1, as in likelihood.log_likelihood, against underflow
        if peak <= 0.0:
            return -math.inf
        log_scale += float(np.log(peak))
        w = w / peak
        if p.father is None:
            factors.append(((i,), _prior(p, q1, q2, x_linked) * w))
        else:
            table = _T_X[p.male] if x_linked else _T_AUTOSOMAL
            factors.append(((i, index[p.father], index[p.mother]), table * w[:, None, None]))
    # Any elimination order sums the same terms; the single-site one depends only on the
    # pedigree's shape, and is remembered per family.
    return eliminate(factors, _elimination_order(people, x_linked), log_scale)


@dataclass(frozen=True)
class Observation:
    """What is known of one person's states: ALT copies at each site (None: missing) and
    the phase of a double heterozygote (None: unknown)."""

    first: int | None = None
    second: int | None = None
    phase: str | None = None

    def mask(self, states: int, person: str) -> np.ndarray:
        """1 in each state the observation allows, 0 elsewhere."""
        allowed = np.ones(states)
        for site, g in ((1, self.first), (2, self.second)):
            if g is None:
                continue
            if not 0 <= g <= (1 if states == 4 else 2):
                raise ValueError(f"{person}: genotype {g} at site {site} impossible with "
                                 f"{'one copy' if states == 4 else 'two copies'}")
            allowed *= copies(states, site) == g
        if self.phase is not None:
            if self.phase not in _PHASE_STATE:
                raise ValueError(f"{person}: phase {self.phase!r} is neither {CIS} nor {TRANS}")
            if states == 4:
                raise ValueError(f"{person}: a phase given for one X, which has no phase")
            # The phase rules out the other reading of a double heterozygote.
            other = CIS if self.phase == TRANS else TRANS
            allowed[_PHASE_STATE[other]] = 0.0
        return allowed

    def words(self) -> str:
        shown = ["." if g is None else str(g) for g in (self.first, self.second)]
        phase = f", {self.phase}" if self.phase else ""
        return f"{shown[0]} and {shown[1]} ALT copies{phase}"


def observations(genotypes1: Mapping[str, int | None], genotypes2: Mapping[str, int | None],
                 phases: Mapping[str, str | None] | None = None) -> dict[str, Observation]:
    """Each person's observation at the two sites; people with nothing observed left out."""
    phases = phases or {}
    out = {}
    for pid in {*genotypes1, *genotypes2, *phases}:
        seen = Observation(genotypes1.get(pid), genotypes2.get(pid), phases.get(pid))
        if seen != Observation():
            out[pid] = seen
    return out


def pair_flb(people: Sequence[Person], proband: str, q1: float, q2: float, x_linked: bool,
             penetrance: Mapping[str, Sequence[float]], phenotypes: Mapping[str, str],
             genotypes1: Mapping[str, int | None], genotypes2: Mapping[str, int | None],
             phases: Mapping[str, str | None] | None = None) -> FlbResult:
    """The pair's full-likelihood Bayes factor (Thompson, Easton & Goldgar 2003, AJHG 73:652,
    with the single-site FLB's definition over both sites):

        FLB = [P(G, Ph | causal) / P(g_proband, Ph | causal)] / [P(G) / P(g_proband)]

    G: every observed genotype at both sites and every phase; g_proband the proband's.
    penetrance[id] = (P(affected | not biallelic), P(affected | biallelic)): the phenocopy
    rate and the gene's penetrance (a single-site recessive vector's first and last values).
    Phenotypes: affected, unaffected or unknown. phases[id]: CIS or TRANS, for a person
    heterozygous at both sites whose calls are phased together (call_phase)."""
    people = tuple(people)
    if proband not in {p.id for p in people}:
        raise ValueError(f"proband {proband} is not in the pedigree")
    states = {p.id: _states(p, x_linked) for p in people}
    seen = {pid: o for pid, o in observations(genotypes1, genotypes2, phases).items()
            if pid in states}
    pheno = {}
    for p in people:
        pen = np.asarray(penetrance[p.id], dtype=float)
        if pen.shape != (2,):
            raise ValueError(f"{p.id}: expected (phenocopy rate, penetrance), got {pen}")
        affected = pen[biallelic(states[p.id]).astype(int)]  # P(affected | state)
        phenotype = phenotypes.get(p.id, "unknown")
        if phenotype == "affected":
            pheno[p.id] = affected
        elif phenotype == "unaffected":
            pheno[p.id] = 1.0 - affected
        else:
            pheno[p.id] = np.ones(states[p.id])

    def log_l(typed: Mapping[str, Observation], causal: bool, unknown: str | None = None):
        """`unknown`: one person whose phenotype is taken as unknown."""
        weights = {}
        for p in people:
            w = typed[p.id].mask(states[p.id], p.id) if p.id in typed else np.ones(states[p.id])
            weights[p.id] = w * pheno[p.id] if causal and p.id != unknown else w
        return pair_log_likelihood(people, q1, q2, weights, x_linked)

    def causes(typed: Mapping[str, Observation]) -> str:
        """Each person's phenotype, and each person's observations, that taken as unknown on
        its own makes the causal likelihood positive."""
        found = []
        for p in people:
            phenotype = phenotypes.get(p.id, "unknown")
            if phenotype != "unknown" and log_l(typed, True, unknown=p.id) > -math.inf:
                found.append(f"{p.id} {phenotype}")
            rest = {k: v for k, v in typed.items() if k != p.id}
            if p.id in typed and log_l(rest, True) > -math.inf:
                found.append(f"{p.id} {typed[p.id].words()}")
        if not found:
            return ("no single person's phenotype or genotypes are the cause, only their "
                    "combination")
        return "this changes if any one of these is taken as unknown: " + ", ".join(found)

    proband_only = {k: v for k, v in seen.items() if k == proband}
    neutral_all = log_l(seen, False)
    if neutral_all == -math.inf:
        return FlbResult(None, None, "the observed genotypes at the two sites are not "
                                     "Mendelian-consistent without recombination between "
                                     "them (a de novo variant, a sample/pedigree error, or "
                                     "a phase that the family's genotypes contradict)")
    causal_proband = log_l(proband_only, True)
    if causal_proband == -math.inf:
        return FlbResult(None, None, "the proband's genotypes and the family's phenotypes "
                                     "cannot occur together under the recessive model (its "
                                     "penetrance and phenocopy rate); " + causes(proband_only))
    causal_all = log_l(seen, True)
    if causal_all == -math.inf:
        return FlbResult(0.0, None, "the genotypes and phenotypes cannot occur together under "
                                    "the recessive model (its penetrance and phenocopy "
                                    "rate); " + causes(seen))
    log_flb = (causal_all - causal_proband) - (neutral_all - log_l(proband_only, False))
    return FlbResult(math.exp(log_flb), log_flb / math.log(10), None)


@dataclass(frozen=True)
class Phase:
    trans: float | None  # P(the proband's variants are on different haplotypes | data)
    words: str  # "in trans", "in cis", "phase unknown" or why there is no phase to tell
    by: str | None  # what decides it when it is certain: "the phased calls" or the genotypes


def proband_phase(people: Sequence[Person], proband: str, q1: float, q2: float,
                  x_linked: bool, genotypes1: Mapping[str, int | None],
                  genotypes2: Mapping[str, int | None],
                  phases: Mapping[str, str | None] | None = None) -> Phase:
    """The proband's phase from the genotypes (and phased calls) of the whole family, without
    the phenotypes (they would favour trans by the model's own assumption): P(trans) =
    L(trans) / (L(trans) + L(cis)). Certain only when the other phase has likelihood 0."""
    people = tuple(people)
    seen = observations(genotypes1, genotypes2, phases)
    own = seen.get(proband, Observation())
    if (own.first, own.second) != (1, 1) or _states(
            next(p for p in people if p.id == proband), x_linked) == 4:
        return Phase(None, "not heterozygous at both sites", None)
    log_l = {}
    for phase in (TRANS, CIS):
        typed = {**seen, proband: Observation(1, 1, phase)}
        weights = {p.id: typed[p.id].mask(_states(p, x_linked), p.id)
                   for p in people if p.id in typed}
        log_l[phase] = (pair_log_likelihood(people, q1, q2, weights, x_linked)
                        if own.phase in (None, phase) else -math.inf)
    if log_l[TRANS] == log_l[CIS] == -math.inf:
        return Phase(None, "the genotypes and phased calls are not Mendelian-consistent "
                           "without recombination", None)
    if own.phase:
        by = "the proband's phased calls"
    else:
        by = "the family's genotypes" + (" and phased calls" if phases else "")
    if log_l[CIS] == -math.inf:
        return Phase(1.0, "in trans", by)
    if log_l[TRANS] == -math.inf:
        return Phase(0.0, "in cis", by)
    return Phase(1.0 / (1.0 + math.exp(log_l[CIS] - log_l[TRANS])), "phase unknown", None)


def call_phase(gt1: str, ps1: int | None, gt2: str, ps2: int | None) -> str | None:
    """CIS or TRANS from one person's GT and PS at the two sites (normalised biallelic
    records), when both calls are heterozygous, phased ('|') and in one phase set: equal PS,
    or both without PS (VCF v4.3 section 1.6.2, FORMAT PS: phased genotypes without a PS
    belong to one phase set). None when the calls say nothing about phase."""
    if "|" not in gt1 or "|" not in gt2 or ps1 != ps2:
        return None
    first, second = gt1.split("|"), gt2.split("|")
    if sorted(first) != ["0", "1"] or sorted(second) != ["0", "1"]:
        return None
    return CIS if first == second else TRANS
