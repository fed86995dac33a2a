# Set-up and checks. `make run` and `make test` install what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
SNAKEMAKE_ARGS ?=

.PHONY: run test test-browser lint bench test-data clean system-deps browser-deps \
	robustness

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

## lint the library and the workflow
lint: $(VENV)/.installed
	$(BIN)/ruff check cmmvar scripts tests
	$(BIN)/snakemake --lint --configfile config/demo.yaml
	$(BIN)/snakefmt --check Snakefile workflow/rules

## benchmarks of issue 14 against bcftools and FASTLINK -> bench/results.md (data made once
## in bench/data/ by scripts/make_bench_data.py); scripts/bench.py alone: the likelihood part
bench: $(VENV)/.installed system-deps
	$(BIN)/python bench/run.py

## regenerate test_data/ (committed) from scripts/make_test_data.py
test-data: $(VENV)/.installed
	$(BIN)/python scripts/make_test_data.py

clean:
	rm -rf results .snakemake
