"""The defaults of the run configuration, read from its JSON schema (YAML) and written nowhere
else: the schemas of workflow/schemas are installed with the package (cmmvar/schemas links to
that folder), so the workflow validates with the same files that the library and the command
line take their defaults from. Knows the schema files; imports nothing heavier than yaml, so
the command line starts quickly.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml


def schema_path(name: str) -> Path:
    """The schema `name` (config, families or panel) as installed with cmmvar."""
    return Path(str(files("cmmvar") / "schemas" / f"{name}.schema.yaml"))


@cache
def _config_schema() -> dict:
    # libyaml's loader where PyYAML has it: the pure-Python one takes about 0.1 s here, on
    # every start of the command line
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(schema_path("config").read_text(encoding="utf-8"), Loader=loader)


def schema_default(*keys: str):
    """The default the config schema gives the key at this path, for example
    schema_default("segregation", "allele_frequency"); a copy, free to change."""
    node = _config_schema()
    for key in keys:
        node = node["properties"][key]
    return copy.deepcopy(node["default"])
