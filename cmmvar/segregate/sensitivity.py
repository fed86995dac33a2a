"""How much a variant's segregation evidence rests on its assumptions.

For a variant with a Bayes factor, the FLB and its PP1/BS4 strengths are recomputed with one
assumption changed at a time, everything else as used:
- the phenocopy rate, set to each value of the grid (for everyone, liability classes included);
- the carrier penetrance, shifted by each step of the grid (every penetrance of the model moves
  by the same step: the gene's, each sex-specific one and each liability class's), a result
  above 1 clipped to 1; a step that would take any penetrance to 0 or below is not computed;
- the allele frequency of the founders' priors, set to each value of the grid;
- each key individual's phenotype recoded as unknown: an affected member without the genotype
  the model needs (an affected non-carrier for a dominant gene) and an unaffected member with
  it (an unaffected carrier), one at a time.
The first row is the model as used, the one the criteria come from. Computes with
likelihood.flbs and segregation.strength; reads and writes no file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from cmmvar.defaults import schema_default
from cmmvar.io.pedigree import Family, Phenotype
from cmmvar.segregate.genotypes import Genotype
from cmmvar.segregate.likelihood import FlbResult, Scenario, flbs
from cmmvar.segregate.segregation import Model, Settings, causal_genotypes, people, strength

DEFAULT_GRID = schema_default("segregation", "sensitivity")  # written once, in the schema
PENETRANCE_NOTE = ("penetrance: every penetrance of the model moves by the same step (for a "
                   "sex-specific model, male and female together); a value above 1 is clipped "
                   "to 1, and a step that would take a penetrance to 0 or below is not computed")


def grid_from_config(section: Mapping | None) -> dict:
    """The grid of the config's segregation.sensitivity (defaults for what it leaves out)."""
    section = section or {}
    return {key: [float(v) for v in section.get(key, default)]
            for key, default in DEFAULT_GRID.items()}


def key_individuals(family: Family, calls: Mapping[str, Genotype], model: Model) -> list[dict]:
    """Genotyped members whose phenotype goes against cosegregation: affected without the
    genotype the model needs, unaffected with it. PED order."""
    out = []
    for ind in family.individuals:
        call = calls[ind.id]
        if call.missing or ind.phenotype is Phenotype.UNKNOWN:
            continue
        male = ind.sex.name == "MALE"
        causal = call.copies in causal_genotypes(model, male)
        if ind.phenotype is Phenotype.AFFECTED and not causal:
            role = "affected non-carrier" if not call.carrier else \
                "affected, without the genotype the model needs"
        elif ind.phenotype is Phenotype.UNAFFECTED and causal:
            role = "unaffected carrier"
        else:
            continue
        out.append({"id": ind.id, "phenotype": ind.phenotype.value, "genotype": call.label,
                    "role": role, "is_child": ind.father is not None})
    return out


def _shifted(model: Model, step: float) -> tuple[Model | None, bool]:
    """(the model with every penetrance moved by `step` and clipped to 1, or None when one
    would fall to 0 or below; whether any was clipped)."""
    raw = [model.penetrance, model.penetrance_male, model.penetrance_female]
    raw += [v["penetrance"] for v in model.liability_classes.values() if "penetrance" in v]
    moved = [None if v is None else v + step for v in raw]
    if any(v is not None and v <= 0 for v in moved):
        return None, False
    clipped = any(v is not None and v > 1 for v in moved)

    def move(value: float | None) -> float | None:
        return None if value is None else min(1.0, value + step)

    classes = {name: ({**v, "penetrance": move(v["penetrance"])} if "penetrance" in v
                      else dict(v)) for name, v in model.liability_classes.items()}
    return replace(model, penetrance=move(model.penetrance),
                   penetrance_male=move(model.penetrance_male),
                   penetrance_female=move(model.penetrance_female),
                   liability_classes=classes), clipped


def _phenocopy(model: Model, rate: float) -> Model:
    classes = {name: ({**v, "phenocopy_rate": rate} if "phenocopy_rate" in v else dict(v))
               for name, v in model.liability_classes.items()}
    return replace(model, phenocopy_rate=rate, liability_classes=classes)


def _penetrance_label(model: Model) -> str:
    if model.penetrance_male is not None or model.penetrance_female is not None:
        return f"male {model.penetrance_male:.3g}, female {model.penetrance_female:.3g}"
    return f"{model.penetrance:.3g}"


Planned = tuple[dict, Model | None, float, dict]  # (row fields, model, q, phenotypes)


def layout(model: Model, q0: float, grid: Mapping, phenotypes: Mapping[str, str],
           keys: list[dict]) -> list[Planned]:
    """The table's rows before any FLB, shared by a variant's table and a pair's
    (pair_sensitivity.py): each row's labels and the model, allele frequency and phenotypes
    to compute it with; model None for a row not computed (its fields already final)."""
    planned: list[Planned] = []

    def row(assumption: str, setting: str, use: Model, q: float, pheno=phenotypes,
            **extra) -> None:
        planned.append(({"assumption": assumption, "setting": setting, **extra}, use, q,
                        dict(pheno)))

    row("as used", f"phenocopy rate {model.phenocopy_rate:g}; penetrance "
                   f"{_penetrance_label(model)}; allele frequency {q0:g}", model, q0,
        criteria_row=True)
    for rate in grid["phenocopy_rates"]:
        row("phenocopy rate", f"{rate:g}", _phenocopy(model, rate), q0,
            same_as_used=rate == model.phenocopy_rate)
    seen = set()
    for step in grid["penetrance_shifts"]:
        shifted, clipped = _shifted(model, step)
        if shifted is None:
            planned.append(({"assumption": "penetrance", "setting": f"{step:+g}",
                             "flb": None, "log10_flb": None, "pp1": "none", "bs4": "none",
                             "flb_note": "not computed: a penetrance would be 0 or below",
                             "criteria_row": False, "same_as_used": False}, None, q0, {}))
            continue
        label = _penetrance_label(shifted)
        if label in seen:
            continue  # clipped to the same values as a previous step
        seen.add(label)
        note = "the panel's value" if step == 0 else (
            f"{step:+g}, clipped to 1" if clipped else f"{step:+g}")
        row("penetrance", f"{label} ({note})", shifted, q0, same_as_used=step == 0)
    for q in grid["allele_frequencies"]:
        row("allele frequency", f"{q:g}", model, q, same_as_used=q == q0)
    for person in keys:
        recoded = dict(phenotypes, **{person["id"]: "unknown"})
        row("phenotype recoded", f"{person['id']} ({person['role']}) coded unknown", model,
            q0, recoded, individual=person["id"])
    return planned


def computed_row(fields: dict, result: FlbResult, settings: Settings) -> dict:
    """A planned row with its FLB and strengths, in the table's column order."""
    fields = dict(fields)
    named = {"assumption": fields.pop("assumption"), "setting": fields.pop("setting")}
    return {**named, "flb": result.value, "log10_flb": result.log10,
            "flb_note": result.reason,
            "pp1": strength(result.value, settings.ladder["pp1"], benign=False),
            "bs4": strength(result.value, settings.ladder["bs4"], benign=True),
            "criteria_row": False, "same_as_used": False, **fields}


def table(proband: str, rows: list[dict], keys: list[dict]) -> dict:
    return {"proband": proband, "rows": rows, "key_individuals": keys,
            "penetrance_note": PENETRANCE_NOTE}


def sensitivity(family: Family, calls: Mapping[str, Genotype], model: Model,
                settings: Settings, proband: str, grid: Mapping) -> dict:
    """The sensitivity table of one variant whose FLB was computed with `proband`: its rows
    first laid out, then every FLB computed in one batch (likelihood.flbs)."""
    phenotypes = {i.id: i.phenotype.value for i in family.individuals}
    keys = key_individuals(family, calls, model)
    planned = layout(model, settings.allele_frequency, grid, phenotypes, keys)
    scenarios = [Scenario(q, {i.id: use.vector(i.sex, i.liability_class)
                              for i in family.individuals}, pheno)
                 for _, use, q, pheno in planned if use is not None]
    results = iter(flbs(people(family), proband, model.x_linked,
                        {pid: g.copies for pid, g in calls.items()}, scenarios))
    return table(proband, [fields if use is None else computed_row(fields, next(results),
                                                                    settings)
                           for fields, use, _, _ in planned], keys)
