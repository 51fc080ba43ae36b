"""The import contracts of pyproject.toml ([tool.importlinter]) hold: apps point one way."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_between_apps_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    # The project root first, so the contracts read this checkout's packages.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([str(lint_imports)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_has_a_layer():
    """An app left out of the layers would escape the contract: each package with an apps.py is in it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c["layers"] for c in config["contracts"] if c["type"] == "layers")
    layered = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"bhxh_portal", "portal"}
    assert apps <= layered, sorted(apps - layered)
    assert set(config["root_packages"]) == layered


# --- the models point the same way as the imports ---------------------------------------------------

def layer_ranks() -> dict[str, int]:
    """App -> its layer's position in pyproject's layers contract (0 = top); apps of one layer share it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c["layers"] for c in config["contracts"] if c["type"] == "layers")
    return {name.strip(): rank for rank, layer in enumerate(layers) for name in layer.replace(":", "|").split("|")}


def relations_against_the_layers(relations, ranks: dict[str, int]) -> list[str]:
    """The relations (from_app, "Model.field", to_app, "Model") that point to a higher layer, or across to
    another app of the same layer (the layers contract keeps those independent too). Apps outside the
    layers (auth, contenttypes) are not judged."""
    wrong = []
    for from_app, field, to_app, model in relations:
        if from_app in ranks and to_app in ranks and from_app != to_app and ranks[to_app] <= ranks[from_app]:
            wrong.append(f"{from_app}.{field} -> {to_app}.{model}")
    return wrong


def concrete_relations():
    """Every foreign key, one-to-one and many-to-many a model holds (history models included), as
    relations_against_the_layers reads them; reverse accessors are left out (they are the other end)."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is not None:
                yield (model._meta.app_label, f"{model.__name__}.{field.name}",
                       field.related_model._meta.app_label, field.related_model.__name__)


def test_no_model_relation_points_up_the_layers():
    """A foreign key to an app above is a dependency the import contract does not see: the migrations
    and the deletions (PROTECT, SET_NULL) then tie the lower app to the upper one."""
    relations = list(concrete_relations())
    assert any(r[:3] == ("targets", "Target.unit", "units") for r in relations)  # the relations are read
    assert relations_against_the_layers(relations, layer_ranks()) == []


def test_the_model_check_finds_an_upward_relation():
    ranks = {"portal": 0, "campaigns": 1, "notices": 1, "agents": 2, "units": 3}
    relations = [
        ("agents", "Agent.unit", "units", "Unit"),  # down: fine
        ("agents", "Collection.agent", "agents", "Agent"),  # inside the app: fine
        ("agents", "Access.beneficiary", "campaigns", "Beneficiary"),  # up
        ("notices", "Notice.activity", "campaigns", "DriveActivity"),  # across one layer
        ("units", "Unit.created_by", "auth", "User"),  # outside the layers: not judged
    ]
    assert relations_against_the_layers(relations, ranks) == [
        "agents.Access.beneficiary -> campaigns.Beneficiary", "notices.Notice.activity -> campaigns.DriveActivity"]
