"""program.explain: the decision and why, for case workers and applicants."""

from __future__ import annotations

import json

import pytest

import heyan
from conftest import PERSON_ID, make_app


def test_staff_text_names_rule_citation_and_values(small_program, small_registries):
    text = small_program.explain(make_app(incomes=(500000,)), small_registries)
    assert "INCOME" in text
    assert "家庭人均收入不低于低保标准" in text
    assert "5000.00元" in text  # the income that made the rule apply


def test_applicant_letter_masks_id_numbers(small_program, small_registries):
    letter = small_program.explain(make_app(incomes=(500000,)), small_registries, audience="applicant")
    assert PERSON_ID not in letter
    assert PERSON_ID[:4] + "**********" + PERSON_ID[-4:] in letter or PERSON_ID[:4] not in letter


def test_json_and_html_formats(small_program, small_registries):
    as_json = json.loads(small_program.explain(make_app(), small_registries, format="json"))
    assert isinstance(as_json, dict) and as_json
    html = small_program.explain(make_app(), small_registries, format="html")
    assert html.lstrip().lower().startswith("<!doctype html")


def test_english(small_program, small_registries):
    text = small_program.explain(make_app(incomes=(500000,)), small_registries, language="en")
    assert "INCOME" in text


def test_bad_options_and_bad_application(small_program, small_registries):
    with pytest.raises(ValueError):
        small_program.explain(make_app(), small_registries, audience="mayor")
    with pytest.raises(ValueError):
        small_program.explain(make_app(), small_registries, format="pdf")
    with pytest.raises(heyan.EvaluationError):
        small_program.explain({"no_such_field": 1}, small_registries)
