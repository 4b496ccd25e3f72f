"""The CLI contract: commands, exit codes, JSON shapes and exact French errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from listening.cli import app

runner = CliRunner()

INTERVIEW = """Enquêtrice : Comment s'est passée votre demande de retraite ?

Usager : J'ai attendu trois mois le premier versement. Personne ne répondait au téléphone.

Enquêtrice : Et ensuite ?

Usager : Il faudrait un seul interlocuteur. La conseillère de France services m'a bien aidé.
"""


@pytest.fixture
def interview(tmp_path):
    path = tmp_path / "entretiens" / "E01.txt"
    path.parent.mkdir()
    path.write_text(INTERVIEW, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "p"), "--mission", "Essai"])
    assert result.exit_code == 0, result.output
    return tmp_path / "p"


@pytest.mark.parametrize("flag", ["--json"])
def test_inspect_json_gives_turns_with_roles_and_offsets(interview, flag):
    result = runner.invoke(app, ["inspect", str(interview), flag, "--sans-masquage"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [t["speaker"] for t in data["turns"]] == ["Enquêtrice", "Usager", "Enquêtrice", "Usager"]
    assert [t["role"] for t in data["turns"]] == ["interviewer", "usager", "interviewer", "usager"]
    assert set(data["turns"][0]) >= {"speaker", "role", "start", "end", "text"}
    assert data["document"]["name"] == "E01.txt"


@pytest.mark.parametrize("missing", ["absent.docx"])
def test_inspect_missing_file_is_a_french_error_with_exit_1(tmp_path, missing):
    result = runner.invoke(app, ["inspect", str(tmp_path / missing), "--sans-masquage"])
    assert result.exit_code == 1
    assert "Erreur" in result.stderr and missing in result.stderr


@pytest.mark.parametrize("option", ["--nope"])
def test_usage_error_exits_2(option):
    assert runner.invoke(app, ["ingest", option]).exit_code == 2


@pytest.mark.parametrize("journey", ["retraite"])
def test_ingest_then_reingest_is_a_no_op(project, interview, journey):
    args = ["ingest", str(interview.parent), "--project", str(project), "--journey", journey,
            "--no-pseudonymise"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Ingérés : 1 · inchangés : 0" in first.stdout
    second = runner.invoke(app, args)
    assert "Ingérés : 0 · inchangés : 1" in second.stdout


@pytest.mark.parametrize("journey", ["parcours.inconnu"])
def test_unknown_journey_lists_the_valid_ones(project, interview, journey):
    result = runner.invoke(app, ["ingest", str(interview), "--project", str(project),
                                 "--journey", journey, "--no-pseudonymise"])
    assert result.exit_code == 1
    assert "parcours « parcours.inconnu » inconnu" in result.stderr
    assert "parcours.retraite" in result.stderr


@pytest.mark.parametrize("name", ["vide.txt"])
def test_a_bad_file_does_not_stop_the_batch(project, interview, name):
    (interview.parent / name).write_text("   \n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(interview.parent), "--project", str(project),
                                 "--journey", "retraite", "--no-pseudonymise"])
    assert result.exit_code == 0
    assert "Ingérés : 1 · inchangés : 0 · en échec : 1" in result.stdout
    assert name in result.stderr


@pytest.mark.parametrize("coder", ["Inspectrice A"])
def test_code_suggests_then_accepts_with_the_coder_named(project, interview, coder):
    runner.invoke(app, ["ingest", str(interview), "--project", str(project), "--journey",
                        "retraite", "--no-pseudonymise"])
    result = runner.invoke(app, ["code", "--project", str(project), "--json"])
    assert result.exit_code == 0, result.output
    sugs = json.loads(result.stdout)["suggestions"]
    assert sugs and set(sugs[0]) == {"document", "segment", "code", "score", "coder", "evidence"}
    assert {s["document"] for s in sugs} == {"E01.txt"}
    assert "theme.delais" in {s["code"] for s in sugs}
    refused = runner.invoke(app, ["code", "--project", str(project), "--accept-above", "0.5"])
    assert refused.exit_code == 1
    assert "--accept-above demande --coder" in refused.stderr
    assert min(s["score"] for s in sugs) >= 0.4  # what a coder sees by default
    accepted = runner.invoke(app, ["code", "--project", str(project), "--coder", coder,
                                   "--accept-above", "0.4", "--no-rerun"])
    assert f"acceptées par {coder} : {len(sugs)}" in accepted.stdout


@pytest.mark.parametrize("journey", ["parcours.retraite"])
def test_journey_json_lists_stages_in_time_order(project, interview, journey):
    runner.invoke(app, ["ingest", str(interview), "--project", str(project), "--journey",
                        "retraite", "--no-pseudonymise"])
    result = runner.invoke(app, ["journey", "--project", str(project), "--journey", journey,
                                 "--json"])
    assert result.exit_code == 0, result.output
    stages = json.loads(result.stdout)["stages"]
    assert [s["ordre"] for s in stages] == sorted(s["ordre"] for s in stages)
    assert stages[0]["stage"] == "etape.retraite.anticipation"


@pytest.mark.parametrize("command", ["code", "topics", "agreement"])
def test_commands_on_a_missing_project_say_how_to_create_it(tmp_path, command):
    result = runner.invoke(app, [command, "--project", str(tmp_path / "nulle-part")])
    assert result.exit_code == 1
    assert "aucun projet ici ; créez-le avec « listening init" in result.stderr


@pytest.mark.parametrize("name", ["Rosalie Vandamme"])
def test_ingest_can_keep_an_encrypted_mapping_outside_the_project(project, tmp_path, name):
    path = tmp_path / "E02.txt"
    path.write_text(f"Enquêtrice : Qui vous a aidée ?\n\nUsager : C'est {name}, ma voisine, "
                    "qui m'a aidée pour le dossier.", encoding="utf-8")
    vault = tmp_path / "secret" / "correspondance.chiffre"
    vault.parent.mkdir()
    env = {"LISTENING_PASSPHRASE": "une phrase de passe assez longue"}
    inside = runner.invoke(app, ["ingest", str(path), "--project", str(project),
                                 "--correspondance", str(project / "table.chiffre")], env=env)
    assert inside.exit_code == 1
    assert "hors du dossier du projet" in inside.stderr
    result = runner.invoke(app, ["ingest", str(path), "--project", str(project),
                                 "--correspondance", str(vault)], env=env)
    assert result.exit_code == 0, result.output
    from listening.pseudo_registry import MappingVault

    entries = MappingVault.load(vault, env["LISTENING_PASSPHRASE"]).entries
    assert any(original == name for original, _pseudonym, _kind in entries)
    stored = b"".join(f.read_bytes() for f in project.glob("projet.sqlite*"))
    assert b"Vandamme" not in stored and b"ma voisine" in stored
    assert name.encode() not in vault.read_bytes()


@pytest.mark.parametrize("term", ["zébulon"])
def test_inspect_applies_the_project_deny_list(project, tmp_path, term):
    path = tmp_path / "E03.txt"
    path.write_text(f"Usager : Mon voisin {term} a porté le dossier en retard.", encoding="utf-8")
    (project / "projet.yaml").write_text(f"name: p\ndeny_list: [{term}]\n", encoding="utf-8")
    plain = json.loads(runner.invoke(app, ["inspect", str(path), "--json"]).stdout)
    listed = json.loads(runner.invoke(app, ["inspect", str(path), "--json", "--project",
                                            str(project)]).stdout)
    assert term not in {e["text"] for e in plain["entities"]}
    assert term in {e["text"] for e in listed["entities"]}
