"""Per-variant time of cmmvar.segregate.likelihood against FASTLINK on the same likelihoods.

A 60-member pedigree (5 generations) with a first-cousin marriage; for each of N variants the
genotypes are gene-dropped from one carrier founder, 40% of members are left untyped, and
phenotypes are random. cmmvar computes the FLB (four likelihoods) and one log_likelihood;
FASTLINK (Debian `fastlink`, run as a subprocess per variant through tests/fastlink_io.py)
computes the same four likelihoods, and the two must agree (exit 1 otherwise). Then cmmvar
alone on a 200-member pedigree. Run: .venv/bin/python scripts/bench.py [--variants N]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cmmvar.segregate import likelihood  # noqa: E402
from cmmvar.segregate.likelihood import Person, log_likelihood  # noqa: E402
from tests import fastlink_io  # noqa: E402
from tests.fastlink_io import Pedigree  # noqa: E402


def flb(*args):
    """cmmvar's FLB computed, never read from its memo of earlier results (FASTLINK has none,
    and the warm-up call repeats the first variant)."""
    likelihood._remembered_flbs.cache_clear()
    return likelihood.flb(*args)


Q = 0.001
PENETRANCE = (0.01, 0.8, 0.8)  # autosomal dominant
LOG_TOL = 2e-6  # MLINK prints ln L to 6 decimals; a looped pedigree sums three of them


def looped_pedigree(size: int, rng: random.Random) -> tuple[list[Person], str]:
    """Founder couple; each generation's members marry a new founder and have 1-4 children,
    until `size` people; two first cousins of generation 3 marry each other (the loop) and
    one of them is returned as the loop breaker."""
    people = [Person("f1", None, None, True), Person("f2", None, None, False)]
    counter = iter(range(1, 10**6))

    def child(father: str, mother: str) -> Person:
        p = Person(f"p{next(counter)}", father, mother, rng.random() < 0.5)
        people.append(p)
        return p

    generation = [child("f1", "f2") for _ in range(3)]
    cousins = []
    depth = 2
    while len(people) < size:
        nxt = []
        for p in generation:
            if len(people) >= size - 1:  # no room for a spouse and a child: more children
                while len(people) < size:
                    last = people[-1]
                    child(last.father, last.mother)
                break
            spouse = Person(f"s{next(counter)}", None, None, not p.male)
            people.append(spouse)
            father, mother = (p.id, spouse.id) if p.male else (spouse.id, p.id)
            kids = [child(father, mother) for _ in range(min(rng.randint(1, 4),
                                                             size - len(people)))]
            nxt += kids
            if depth == 2 and kids:
                cousins.append(kids[0])
        generation, depth = nxt or generation, depth + 1
        if depth == 3 and len(cousins) >= 2:
            a, b = cousins[0], cousins[1]
            if a.male == b.male:
                b = Person(b.id, b.father, b.mother, not a.male)
                people[people.index(next(p for p in people if p.id == b.id))] = b
            father, mother = (a.id, b.id) if a.male else (b.id, a.id)
            generation = [p for p in generation if p.id not in (a.id, b.id)]
            generation += [child(father, mother) for _ in range(2)]
            breaker = a.id
    return people, breaker


def generations(people: list[Person]) -> int:
    depth = {}
    for p in people:  # parents are listed before their children
        depth[p.id] = 1 if p.father is None else 1 + max(depth[p.father], depth[p.mother])
    return max(depth.values())


def random_variant(people: list[Person], rng: random.Random):
    """Gene drop from one carrier founder; 40% untyped; phenotypes affected with probability
    from the penetrance, 15% unknown. Proband: the first affected typed carrier."""
    g = {}
    founders = [p.id for p in people if p.father is None]
    carrier = rng.choice(founders)
    for p in people:
        if p.father is None:
            g[p.id] = 1 if p.id == carrier else 0
        else:
            g[p.id] = sum(rng.random() < g[parent] / 2 for parent in (p.father, p.mother))
    phenotypes = {}
    for p in people:
        if rng.random() < 0.15:
            phenotypes[p.id] = "unknown"
        else:
            phenotypes[p.id] = "affected" if rng.random() < PENETRANCE[g[p.id]] else "unaffected"
    genotypes = {pid: (v if rng.random() < 0.6 else None) for pid, v in g.items()}
    proband = next((pid for pid, v in genotypes.items()
                    if v == 1 and phenotypes[pid] == "affected"), None)
    if proband is None:
        proband = carrier
        genotypes[proband], phenotypes[proband] = 1, "affected"
    return proband, phenotypes, genotypes


def flb_weight_sets(people, phenotypes, genotypes, proband):
    """causal = P(phenotype | g) x [g = observed]; neutral = [g = observed]; 'proband' sets
    keep only the proband's genotype (Thompson et al. 2003)."""
    def one(typed, causal):
        out = {}
        for p in people:
            w = [1.0, 1.0, 1.0]
            if causal and phenotypes[p.id] == "affected":
                w = list(PENETRANCE)
            elif causal and phenotypes[p.id] == "unaffected":
                w = [1.0 - f for f in PENETRANCE]
            if p.id in typed:
                w = [v if k == typed[p.id] else 0.0 for k, v in enumerate(w)]
            out[p.id] = w
        return out

    typed = {k: v for k, v in genotypes.items() if v is not None}
    only = {proband: typed[proband]}
    return [one(typed, True), one(only, True), one(typed, False), one(only, False)]


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _fastlink_200(people, breaker, variants, figures, disagreements) -> None:
    """FASTLINK on the 200-member pedigree, the same four likelihoods per variant (four runs
    of unknown+mlink); where it cannot run the pedigree, the reason is printed and recorded."""
    total = 0.0
    for k, (proband, phenotypes, genotypes) in enumerate(variants):
        sets = flb_weight_sets(people, phenotypes, genotypes, proband)
        peds = [Pedigree(people, w, [breaker]) for w in sets]
        try:  # one pedigree per run: FASTLINK's compiled limit is 1,000 individuals a file,
            # and conditioning on the loop breaker writes each pedigree three times
            theirs, dt = timed(lambda peds=peds: [fastlink_io.log_likelihoods([ped], Q)[0]
                                                  for ped in peds])
        except fastlink_io.FastlinkError as error:
            figures["fastlink_200_error"] = str(error).strip().splitlines()[-1]
            print(f"FASTLINK on 200 members: not run to the end ({figures['fastlink_200_error']})")
            return
        total += dt
        mine = [log_likelihood(people, Q, w) for w in sets]
        for a, b in zip(mine, theirs, strict=True):
            if not (a == b == -math.inf) and not abs(a - b) <= 4 * LOG_TOL:
                disagreements.append(f"200 members, variant {k}: cmmvar ln L {a!r}, "
                                     f"FASTLINK {b!r}")
    figures["fastlink_200_ms"] = 1000 * total / len(variants)
    print(f"{f'FASTLINK unknown+mlink, 200 members ({len(variants)} variants)':<58}"
          f"{figures['fastlink_200_ms']:>18.3f}")
    print(f"ratio FASTLINK / cmmvar flb, 200 members: "
          f"{figures['fastlink_200_ms'] / figures['cmmvar_flb_200_ms']:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fastlink-200", type=int, default=10, metavar="N",
                        help="also time FASTLINK on N variants of the 200-member pedigree "
                             "(0: skip)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    missing = fastlink_io.missing_programs()

    people, breaker = looped_pedigree(60, rng)
    penetrance = {p.id: PENETRANCE for p in people}
    variants = [random_variant(people, rng) for _ in range(args.variants)]
    t = {"flb": 0.0, "loglik": 0.0, "fl_cond": 0.0, "fl_own": 0.0}
    worst_log, worst_flb, disagreements = 0.0, 0.0, []
    own_loops_error = None  # FASTLINK's own loop handling is timed while it accepts the file
    flb(people, variants[0][0], Q, False, penetrance, *variants[0][1:])  # warm the order cache
    for k, (proband, phenotypes, genotypes) in enumerate(variants):
        result, dt = timed(partial(flb, people, proband, Q, False, penetrance, phenotypes,
                                   genotypes))
        t["flb"] += dt
        sets = flb_weight_sets(people, phenotypes, genotypes, proband)
        ours = []
        for w in sets:
            value, dt = timed(partial(log_likelihood, people, Q, w))
            ours.append(value)
            t["loglik"] += dt
        if missing:
            continue
        peds = [Pedigree(people, w, [breaker]) for w in sets]
        theirs, dt = timed(partial(fastlink_io.log_likelihoods, peds, Q))
        t["fl_cond"] += dt
        if own_loops_error is None:
            try:
                _, dt = timed(partial(fastlink_io.log_likelihoods, peds, Q,
                                      makeped_loops=True))
                t["fl_own"] += dt
            except fastlink_io.FastlinkError as error:
                own_loops_error = str(error).strip().splitlines()[-2]
        for a, b in zip(ours, theirs, strict=True):
            if a == b == -math.inf:
                continue
            diff = abs(a - b)
            worst_log = max(worst_log, diff)
            if not diff <= LOG_TOL:
                disagreements.append(f"variant {k}: cmmvar ln L {a!r}, FASTLINK {b!r}")
        if result.value:
            fl_value = math.exp(theirs[0] - theirs[1] - theirs[2] + theirs[3])
            worst_flb = max(worst_flb, abs(fl_value / result.value - 1))

    n = len(variants)
    print(f"pedigree: {len(people)} members, {generations(people)} generations, first-cousin "
          f"loop (breaker "
          f"{breaker}); {n} variants; q = {Q}, penetrance {PENETRANCE}")
    print(f"{'computation':<58}{'per variant (ms)':>18}")
    rows = [("cmmvar flb (4 likelihoods)", t["flb"]),
            ("cmmvar log_likelihood x 4 (the same 4)", t["loglik"])]
    if not missing:
        rows += [("FASTLINK unknown+mlink, 4 likelihoods, loop conditioned", t["fl_cond"])]
        if own_loops_error is None:
            rows += [("FASTLINK unknown+mlink, 4 likelihoods, own loop handling", t["fl_own"])]
    for name, total in rows:
        print(f"{name:<58}{1000 * total / n:>18.3f}")
    figures = {"members_60": len(people), "generations_60": generations(people), "variants": n,
               "cmmvar_flb_60_ms": 1000 * t["flb"] / n,
               "fastlink_60_ms": None if missing else 1000 * t["fl_cond"] / n,
               "max_ln_l_difference_60": None if missing else worst_log}
    if missing:
        print(f"FASTLINK not installed (no {', '.join(missing)}): comparison skipped")
    else:
        print(f"ratio FASTLINK (conditioned) / cmmvar flb: {t['fl_cond'] / t['flb']:.2f}")
        if own_loops_error is None:
            print(f"ratio FASTLINK (own loops) / cmmvar flb: {t['fl_own'] / t['flb']:.2f}")
        else:
            print(f"FASTLINK's own loop handling not timed: unknown says {own_loops_error!r}")
        print(f"agreement: max |ln L difference| {worst_log:.2e} over {4 * n} likelihoods "
              f"(tolerance {LOG_TOL:g}); max relative FLB difference {worst_flb:.2e}")

    big, big_breaker = looped_pedigree(200, random.Random(args.seed + 1))
    big_pen = {p.id: PENETRANCE for p in big}
    big_variants = [random_variant(big, rng) for _ in range(50)]
    flb(big, big_variants[0][0], Q, False, big_pen, *big_variants[0][1:])
    _, dt = timed(lambda: [flb(big, pb, Q, False, big_pen, ph, gt)
                           for pb, ph, gt in big_variants])
    figures["cmmvar_flb_200_ms"] = 1000 * dt / len(big_variants)
    figures["generations_200"] = generations(big)
    print(f"{f'cmmvar flb, 200 members, {generations(big)} generations, loop (50 variants)':<58}"
          f"{1000 * dt / len(big_variants):>18.3f}")
    if not missing and args.fastlink_200:
        _fastlink_200(big, big_breaker, big_variants[:args.fastlink_200], figures,
                      disagreements)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")

    if disagreements:
        print(f"DISAGREEMENT in {len(disagreements)} likelihoods:", *disagreements[:10],
              sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
