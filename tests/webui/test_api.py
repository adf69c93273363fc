"""webui/blueprints/api.py: the JSON API."""

from __future__ import annotations

import json

import pytest


def test_evaluate_the_seed_case_is_fair(client, seed_case):
    response = client.post("/api/v1/evaluate", json=seed_case)
    assert response.status_code == 200
    result = response.get_json()
    assert result["overall"]["rating"] == "fair"
    assert result["overall"]["label"] == "Cukup baik"
    assert {"subject", "dimensions", "indicators", "not_assessed", "diagnoses",
            "recommendations", "fired_rules", "knowledge_base"} <= set(result)
    rec = next(r for r in result["recommendations"] if r["id"] == "hold_competency_development")
    assert rec["explanation"]["rule"] and rec["explanation"]["premises"]


def test_evaluate_in_english(client, seed_case):
    result = client.post("/api/v1/evaluate?lang=en", json=seed_case).get_json()
    assert result["overall"]["label"] == "Fair"


def test_an_unknown_indicator_is_400_with_every_problem(client, seed_case):
    case = json.loads(json.dumps(seed_case))
    case["findings"]["charisma"] = "good"
    case["findings"]["ability"]["interview"] = "superb"
    response = client.post("/api/v1/evaluate", json=case)
    assert response.status_code == 400
    body = response.get_json()
    paths = {p["path"]: p for p in body["problems"]}
    assert "findings.charisma" in paths and "ability" in paths["findings.charisma"]["allowed"]
    assert "findings.ability.interview" in paths
    assert body["error"] == "problem(s) in the case"
    assert paths["findings.charisma"]["message"] == "indikator tidak dikenal"


def test_problems_follow_the_requested_language(client, seed_case):
    case = json.loads(json.dumps(seed_case))
    case["findings"]["charisma"] = "good"
    body = client.post("/api/v1/evaluate?lang=en", json=case).get_json()
    assert body["problems"][0]["message"] == "unknown indicator"


@pytest.mark.parametrize("body, message", [(b"{not json", "request body is not valid JSON"),
                                           (b"\xff", "not UTF-8"), (b"", "is empty")])
def test_malformed_json_is_400(client, body, message):
    response = client.post("/api/v1/evaluate?lang=en", data=body,
                           content_type="application/json")
    assert response.status_code == 400
    assert message in response.get_json()["problems"][0]["message"]


def test_json_null_or_a_list_is_400(client):
    for body in ("null", "[]"):
        response = client.post("/api/v1/evaluate", data=body, content_type="application/json")
        assert response.status_code == 400


def test_only_json_is_accepted(client, seed_case):
    response = client.post("/api/v1/evaluate", data={"subject": "x"})
    assert response.status_code == 415
    assert response.is_json and response.get_json()["status"] == 415


def test_unknown_language_is_400(client, seed_case):
    response = client.post("/api/v1/evaluate?lang=fr", json=seed_case)
    assert response.status_code == 400


def test_the_api_needs_no_csrf_token(csrf_app, seed_case):
    response = csrf_app.test_client().post("/api/v1/evaluate", json=seed_case)
    assert response.status_code == 200


def test_explain_how_and_why_not(client, seed_case):
    how = client.post("/api/v1/explain/hold_competency_development", json=seed_case)
    assert how.status_code == 200 and how.get_json()["reached"] is True
    why_not = client.post("/api/v1/explain/impose_light_sanction", json=seed_case).get_json()
    assert why_not["reached"] is False and why_not["rules"]
    unknown = client.post("/api/v1/explain/nothing", json=seed_case)
    assert unknown.status_code == 400 and "overall" in unknown.get_json()["allowed"]


def test_knowledge(client, kb):
    response = client.get("/api/v1/knowledge")
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == kb.version
    assert [d["id"] for d in body["dimensions"]] == list(kb.dimensions)
    assert len(body["rules"]) == len(kb.rules)
    rule = next(r for r in body["rules"] if r["id"] == "competency.hold_development_events")
    assert rule["plain"]["id"]["conclusion"] and rule["plain"]["en"]["conditions"]
    assert body["vocabularies"]["ratings"][0]["label"] == {"id": "Baik", "en": "Good"}


def test_api_errors_are_json(client):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404
    wrong_method = client.get("/api/v1/evaluate")
    assert wrong_method.status_code == 405 and wrong_method.is_json


def test_an_oversized_request_is_413(client):
    response = client.post("/api/v1/evaluate", data=b" " * (1024 * 1024 + 10),
                           content_type="application/json")
    assert response.status_code == 413 and response.is_json


def test_why_not_says_not_entered_for_a_measure_not_given(client, seed_case):
    """The seed case gives no measures: the sanction bands' conditions were not entered."""
    body = client.post("/api/v1/explain/absence_light_sanction?lang=en", json=seed_case).get_json()
    statuses = {c["status"] for rule in body["rules"] for c in rule["conditions"]}
    assert statuses == {"not_entered"}


def test_what_if_api_answers_the_differences(client, seed_case):
    response = client.post("/api/v1/what-if?lang=en", json={
        "case": seed_case, "changes": {"findings.ability": "good",
                                       "measures.training_hours_last_year": 24}})
    assert response.status_code == 200
    data = response.get_json()
    assert data["before"]["overall"]["rating"] == "fair"
    assert data["after"]["overall"]["rating"] == "good"
    assert {v["id"] for v in data["verdicts"]} >= {"overall", "quality", "ability"}
    assert data["changes"]["measures.training_hours_last_year"] == 24
    for added in data["added"]:
        assert added["explanation"]["rule"] and added["explanation"]["premises"]


def test_what_if_api_reports_every_problem(client, seed_case):
    response = client.post("/api/v1/what-if", json={
        "case": seed_case, "changes": {"findings.abilty": "good", "measures.x": 1}})
    assert response.status_code == 400
    paths = [p["path"] for p in response.get_json()["problems"]]
    assert paths == ["findings.abilty", "measures.x"]
    bad = client.post("/api/v1/what-if", json={"changes": {}})
    assert bad.status_code == 400
    assert client.post("/api/v1/what-if", data="x").status_code == 415
