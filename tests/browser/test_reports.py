"""Every demo report opened in headless Chromium (Debian chromium + chromium-driver) from
file://, as a counsellor opens an email attachment: what the browser shows is checked against
report.json and candidates.tsv, and a full-page screenshot of each report is saved under
test-output/screenshots/. Run with `make test-browser`."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.workflow.helpers.demo import copy_project, run_ok
from tests.workflow.helpers.escaping import SAMPLE, make_hostile_project

# Selenium Manager would look drivers up online and send usage statistics: neither is
# wanted (the drivers are Debian's, and nothing leaves the machine).
os.environ["SE_AVOID_STATS"] = "true"
os.environ["SE_OFFLINE"] = "true"
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import UnexpectedAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
FAMILIES = ("DCC1", "TRIO1", "RAD1", "CONS1", "XL1", "CH1")
SHAPE_OF_SEX = {"male": "square", "female": "circle", "unknown": "diamond"}
# The computed fill of each phenotype's symbol: black, white, grey.
FILL_OF_STATUS = {"affected": "rgb(0, 0, 0)", "unaffected": "rgb(255, 255, 255)"}


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("Debian chromium and chromium-driver are needed: run `make test-browser`")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # Flags as the machine notes give them: no sandbox as root, no background networking
    # (the report must not need the network, and this machine has none).
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=driver_path))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return run_ok(copy_project(tmp_path_factory.mktemp("browser-demo")))


def open_page(driver, path: Path) -> list[dict]:
    """Load a file:// page; return what the console said."""
    driver.get_log("browser")  # drop what an earlier page left
    driver.get(path.resolve().as_uri())
    return driver.get_log("browser")


def screenshot(driver, name: str) -> Path:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 900), 16000))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    assert driver.save_screenshot(str(target))
    driver.set_window_size(1280, 900)
    return target


def members(svg) -> list:
    return svg.find_elements(By.CSS_SELECTOR, "g.member")


def check_symbols(driver, svg, pedigree: list[dict]) -> None:
    """One symbol per pedigree member, with the shape of its sex and the fill of its status."""
    drawn = {g.get_attribute("data-id"): g for g in members(svg)}
    assert sorted(drawn) == sorted(p["id"] for p in pedigree)
    for person in pedigree:
        group = drawn[person["id"]]
        assert group.get_attribute("data-shape") == SHAPE_OF_SEX[person["sex"]], person["id"]
        assert group.get_attribute("data-status") == person["phenotype"], person["id"]
        symbol = group.find_element(By.CSS_SELECTOR, ".symbol")
        tag = symbol.tag_name.lower()
        assert tag == {"square": "rect", "circle": "circle", "diamond": "polygon"}.get(
            SHAPE_OF_SEX[person["sex"]], tag) or tag == "path", (person["id"], tag)
        fill = driver.execute_script("return getComputedStyle(arguments[0]).fill", symbol)
        if person["phenotype"] in FILL_OF_STATUS:
            assert fill == FILL_OF_STATUS[person["phenotype"]], (person["id"], fill)
        else:  # unknown status: neither black nor white
            assert fill not in FILL_OF_STATUS.values(), (person["id"], fill)
        assert symbol.is_displayed()


@pytest.mark.parametrize("family", FAMILIES)
def test_demo_report_in_chromium(browser, demo, family):
    folder = demo / "families" / family
    report = json.loads((folder / "report.json").read_text())
    table = pd.read_csv(folder / "candidates.tsv", sep="\t", dtype=str, keep_default_na=False)
    console = open_page(browser, folder / "report.html")
    assert [e for e in console if e["level"] == "SEVERE"] == []
    # self-contained: the page loaded no other resource (CSS, script, font, image)
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded == []

    # the demo's synthetic resources: a warning the reader sees first, above the summary
    warning = browser.find_element(By.ID, "synthetic-data-warning")
    summary = browser.find_element(By.ID, "summary")
    assert warning.is_displayed() and warning.location["y"] < summary.location["y"]
    assert warning.text.startswith("Demo data, not a clinical result.")
    assert all(r["path"] in warning.text for r in report["synthetic_demo_resources"])

    plain = browser.find_element(By.CSS_SELECTOR, "#pedigree-plain svg")
    check_symbols(browser, plain, report["pedigree"])
    probands = plain.find_elements(By.CSS_SELECTOR, "g.member[data-proband='true']")
    assert len(probands) == 1

    # ranked rows in the candidates table; those with an empty rank (no genotyped affected
    # member carries them: XL1's second ANOS1 variant) in their own list, apart
    ranked, apart = table[table["rank"] != ""], table[table["rank"] == ""]
    listed = browser.find_elements(By.CSS_SELECTOR, "#not-explaining-variants li")
    assert [(li.get_attribute("data-pos"), li.get_attribute("data-alt")) for li in listed] == \
        list(zip(apart.pos, apart.alt, strict=True))
    assert all(li.is_displayed() and "): Does not explain this family's condition: " in li.text
               for li in listed)
    # a compound-heterozygous pair (CH1) has its own card, not a row of the variants' table
    pairs = ranked[ranked["compound_het_with"] != ""]
    rows = browser.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")
    assert len(rows) == len(ranked) - len(pairs)
    cards = browser.find_elements(By.CSS_SELECTOR, "[id^='pair-'][data-rank]")
    assert [c.get_attribute("data-partner") for c in cards] == list(pairs.compound_het_with)
    singles = ranked[ranked["compound_het_with"] == ""]
    for row, expected in zip(rows, singles.to_dict("records"), strict=True):
        shown = {k: row.get_attribute(f"data-{k}") for k in ("chrom", "pos", "ref", "alt",
                                                              "rank")}
        assert shown == {k: str(expected[k]) for k in shown}
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert cells[1].split(" ")[0] == (expected["gene"] or "none")
        assert cells[-1] == expected["acmg_codes"].replace(";", "; ")

    for candidate in report["candidates"][:5]:
        card = browser.find_element(By.ID, f"candidate-{candidate['rank']}")
        svg = card.find_element(By.CSS_SELECTOR, "details.pedigree svg")
        check_symbols(browser, svg, report["pedigree"])
        for group in members(svg):
            person = group.get_attribute("data-id")
            label = candidate["genotypes"][person]["label"].replace("-", "\u2212")
            assert group.get_attribute("data-genotype") == label, person
            assert label in group.text.split("\n"), (person, group.text)
    shot = screenshot(browser, family)
    assert shot.stat().st_size > 10_000


def test_cohort_index_links_every_report(browser, demo):
    console = open_page(browser, demo / "index.html")
    assert [e for e in console if e["level"] == "SEVERE"] == []
    links = {a.text: a.get_attribute("href")
             for a in browser.find_elements(By.CSS_SELECTOR, "#families a")}
    assert sorted(links) == sorted(FAMILIES)
    warning = browser.find_element(By.ID, "synthetic-data-warning")
    assert warning.is_displayed() and "Demo data, not a clinical result." in warning.text
    for family, href in links.items():
        assert href == (demo / "families" / family / "report.html").resolve().as_uri()
    screenshot(browser, "index")


def test_hostile_names_are_shown_as_text_and_run_nothing(browser, tmp_path):
    results = run_ok(make_hostile_project(tmp_path))
    try:
        console = open_page(browser, results / "families/RAD1/report.html")
        body = browser.find_element(By.TAG_NAME, "body").text
    except UnexpectedAlertPresentException:
        pytest.fail("a script from the input ran in the report")
    assert [e for e in console if e["level"] == "SEVERE"] == []
    assert SAMPLE in body  # shown literally
    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert browser.find_elements(By.CSS_SELECTOR, "img, b") == []


@pytest.mark.parametrize("family", FAMILIES)
def test_banner_criteria_and_sensitivity_table_in_chromium(browser, demo, family):
    """The scope banner sits with the demo-data warning, above the summary; each card shows
    the criteria not evaluated, ClinVar set apart, and (with a Bayes factor) the sensitivity
    table after the segregation counts, its criteria row marked."""
    folder = demo / "families" / family
    report = json.loads((folder / "report.json").read_text())
    open_page(browser, folder / "report.html")
    warning = browser.find_element(By.ID, "synthetic-data-warning")
    banner = browser.find_element(By.ID, "scope-banner")
    summary = browser.find_element(By.ID, "summary")
    assert banner.is_displayed()
    assert warning.location["y"] < banner.location["y"] < summary.location["y"]
    assert banner.text.startswith("Not a classification. Research use only. Partial automated "
                                  "evidence toward an ACMG/AMP classification")
    assert "confirmed in an accredited clinical laboratory" in banner.text
    for candidate in report["candidates"]:
        card = browser.find_element(By.ID, f"candidate-{candidate['rank']}")
        missing = card.find_element(By.CSS_SELECTOR, "dd.criteria-not-evaluated")
        assert missing.is_displayed()
        for code in ("PS3", "PM1", "PM3", "PM5", "PP4", "PP3, BP4"):  # offline demo: no REVEL
            assert code in missing.text, (family, code)
        assert card.find_element(By.CSS_SELECTOR, "dd.clinvar-assertion").text == \
            candidate["clinvar_assertion"]
        tables = card.find_elements(By.CSS_SELECTOR, "table.sensitivity-table")
        if candidate["sensitivity"] is None:
            assert tables == []
            continue
        table = tables[0]
        browser.execute_script("arguments[0].scrollIntoView()", table)
        assert table.is_displayed()
        counts = card.find_element(By.CSS_SELECTOR, "table.segregation")
        assert table.location["y"] > counts.location["y"]
        rows = table.find_elements(By.CSS_SELECTOR, "tr")[1:]
        assert len(rows) == len(candidate["sensitivity"]["rows"])
        marked = table.find_elements(By.CSS_SELECTOR, "tr.criteria-row")
        assert len(marked) == 1 and marked[0] == rows[0]
        assert marked[0].text.startswith("as used \u25c0 criteria")
    if family == "RAD1":  # the case: 1.33 with the affected non-carrier unknown
        row = browser.find_element(
            By.XPATH, "//table[@class='sensitivity-table']//tr[td[contains(., 'RAD_II2')]]")
        assert [c.text for c in row.find_elements(By.TAG_NAME, "td")][1:5] == [
            "RAD_II2 (affected non-carrier) coded unknown", "1.33", "none", "none"]
        assert "RAD_II2 (affected non-carrier)" in summary.text
        assert "confirmation of parentage" in summary.text


def test_cohort_index_banner_above_the_families(browser, demo):
    open_page(browser, demo / "index.html")
    banner = browser.find_element(By.ID, "scope-banner")
    table = browser.find_element(By.ID, "families")
    warning = browser.find_element(By.ID, "synthetic-data-warning")
    assert banner.is_displayed()
    assert warning.location["y"] < banner.location["y"] < table.location["y"]
    assert banner.text.startswith("Not a classification. Research use only.")


# Words of the key for each drawn thing (Bennett et al. 2008/2022 as cmmvar draws them).
KEY_OF_SEX = {"male": "male", "female": "female", "unknown": "sex unknown"}
KEY_OF_STATUS = {"affected": "affected", "unaffected": "unaffected",
                 "unknown": "phenotype unknown"}
KEY_OF_LABEL = {"+/\u2212": "heterozygous", "+/+": "homozygous", "\u2212/\u2212": "no variant",
                "?": "not sequenced or failed QC", "+": "hemizygous",
                "\u2212": "hemizygous, no variant"}


def expected_dots(candidate: dict, pedigree: list[dict]) -> set[str]:
    """Unaffected carriers not expected to be affected, from report.json alone: one copy
    under AR; a woman with one copy under XLR."""
    inheritance = candidate["segregation"]["model"]["inheritance"]
    return {p["id"] for p in pedigree
            if p["phenotype"] == "unaffected"
            and candidate["genotypes"][p["id"]]["label"] == "+/-"
            and (inheritance == "AR" or (inheritance == "XLR" and p["sex"] == "female"))}


@pytest.mark.parametrize("family", FAMILIES)
def test_pedigree_key_matches_the_drawing_in_chromium(browser, demo, family):
    """Every pedigree of the report: the key under it is shown and lists exactly the sexes,
    statuses, proband arrow, double lines, carrier dots and genotype labels that drawing
    shows; carriers not expected to be affected carry a visible dot; the page no longer
    claims grey symbols carry a '?'."""
    folder = demo / "families" / family
    report = json.loads((folder / "report.json").read_text())
    open_page(browser, folder / "report.html")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert 'grey with "?"' not in body
    drawings = [(None, browser.find_element(By.CSS_SELECTOR, "#pedigree-plain svg"))]
    drawings += [(c, browser.find_element(By.ID, f"candidate-{c['rank']}").find_element(
        By.CSS_SELECTOR, "details.pedigree svg")) for c in report["candidates"][:5]]
    people = {p["id"]: p for p in report["pedigree"]}
    for candidate, svg in drawings:
        browser.execute_script("arguments[0].scrollIntoView()", svg)
        legend = svg.find_element(By.CSS_SELECTOR, "g.legend")
        assert legend.is_displayed()
        words = [t.text for t in legend.find_elements(By.CSS_SELECTOR, "text.legend-text")]
        # the proband's entry may say how the proband was chosen ("proband, chosen by rule")
        words = ["proband (P)" if re.fullmatch(r"proband(, [^()]+)? \(P\)", w) else w
                 for w in words]
        expected = [KEY_OF_SEX[s] for s in KEY_OF_SEX
                    if any(p["sex"] == s for p in people.values())]
        expected += [KEY_OF_STATUS[s] for s in KEY_OF_STATUS
                     if any(p["phenotype"] == s for p in people.values())]
        if svg.find_elements(By.CSS_SELECTOR, "g.proband-arrow"):
            expected.append("proband (P)")
        if svg.find_elements(By.CSS_SELECTOR, "g.union[data-consanguineous='true']"):
            expected.append("consanguineous union")
        if any(p.get("added_by_cmmvar") for p in people.values()):
            expected.append("dashed: parent not in the PED file, added")
        dotted = {g.get_attribute("data-id") for g in members(svg)
                  if g.find_elements(By.CSS_SELECTOR, ".carrier-dot")}
        if candidate is None:
            assert dotted == set()
        else:
            assert dotted == expected_dots(candidate, report["pedigree"]), family
            for g in members(svg):
                if g.get_attribute("data-id") in dotted:
                    assert g.find_element(By.CSS_SELECTOR, ".carrier-dot").is_displayed()
            if dotted:
                expected.append("dot: carrier, not expected to be affected")
            labels = {candidate["genotypes"][p]["label"].replace("-", "\u2212")
                      for p in people}
            expected += [KEY_OF_LABEL[k] for k in KEY_OF_LABEL if k in labels]
        assert words == expected, (family, candidate and candidate["rank"])
    if family == "CONS1":  # the recessive DNAL4 family: the three heterozygous relatives
        assert len(expected_dots(report["candidates"][0], report["pedigree"])) == 3
