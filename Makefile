# Set-up and checks. `make run` and `make test` install what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
SNAKEMAKE_ARGS ?=

.PHONY: run test test-browser lint bench test-data clean system-deps browser-deps \
	robustness cluster-test slurm-deps mutation mutation-full

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cmmvar needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests compare against: bcftools (normalisation), FASTLINK (pedigree
# likelihoods, and the peer tool of `make bench`) and htslib-test (htslib's own VCF/BCF test
# files: the unit tests split them as bcftools does, and `make robustness` runs on them);
# strace (the offline test watches every process's network system calls).
system-deps:
	@command -v bcftools >/dev/null 2>&1 && command -v mlink >/dev/null 2>&1 \
	  && command -v tabix >/dev/null 2>&1 && command -v strace >/dev/null 2>&1 \
	  && dpkg -s htslib-test >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq bcftools tabix fastlink \
	    htslib-test strace; }

# Debian Chromium and its WebDriver for the browser test of the HTML reports.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; }

# Debian's SLURM and munge, for the single-node SLURM that `make cluster-test` starts.
slurm-deps:
	@command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 \
	  && command -v sbatch >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq slurm-wlm munge; }

$(VENV)/.slurm-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,slurm]'
	touch $@

## run the workflow on the embedded demo (config/demo.yaml -> test_data/), outputs in results/
run: $(VENV)/.installed
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml $(SNAKEMAKE_ARGS)

## run the test suite
test: $(VENV)/.installed system-deps
	$(BIN)/python -m pytest

## open every demo report in headless Chromium and check what it shows (screenshots in test-output/)
test-browser: $(VENV)/.installed browser-deps
	$(BIN)/python -m pytest tests/browser

## run cmmvar on every htslib-test VCF/BCF and on hand-made broken VCFs and PEDs; prints the counts
robustness: $(VENV)/.installed system-deps
	$(BIN)/python -m pytest tests/robustness

## run the demo on a single-node SLURM started on localhost (as root), through workflow/profiles/slurm
cluster-test: $(VENV)/.slurm-installed system-deps slurm-deps
	$(BIN)/python -m pytest -rP tests/cluster  # -rP: print the job counts and times

## lint the library and the workflow
lint: $(VENV)/.installed
	$(BIN)/ruff check cmmvar scripts tests
	$(BIN)/python scripts/lint_workflow.py --configfile config/demo.yaml
	$(BIN)/snakefmt --check Snakefile workflow/Snakefile workflow/rules

## benchmarks of issue 14 against bcftools and FASTLINK -> bench/results.md (data made once
## in bench/data/ by scripts/make_bench_data.py); scripts/bench.py alone: the likelihood part
bench: $(VENV)/.installed system-deps
	$(BIN)/python bench/run.py

## mutation testing (mutmut, in a temporary copy) of the clinical rules and the likelihood engine;
## prints the score per module and every survivor, fails on one not in tests/mutation/equivalent.tsv.
## CI selection: one of 3 shards of the mutants (by a hash of each mutant's text; the shard turns
## with the commit count, so any 3 consecutive commits test every mutant). `make mutation-full`: all.
## Both then change each module-level clinical constant (tests/mutation/constants.tsv), which
## mutmut does not mutate, and expect the tests to fail (scripts/mutate_constants.py).
mutation: $(VENV)/.mutation
	$(BIN)/python scripts/mutation.py --ci --jobs $(CORES)
	$(BIN)/python scripts/mutate_constants.py

mutation-full: $(VENV)/.mutation
	$(BIN)/python scripts/mutation.py --jobs $(CORES)
	$(BIN)/python scripts/mutate_constants.py

$(VENV)/.mutation: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	touch $@

## regenerate test_data/ (committed) from scripts/make_test_data.py
test-data: $(VENV)/.installed
	$(BIN)/python scripts/make_test_data.py

clean:
	rm -rf results .snakemake
