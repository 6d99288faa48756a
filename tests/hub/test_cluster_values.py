"""The cluster route, checked on paper: deploy/values.yaml against the Zero to JupyterHub chart's own schema.

No cluster runs here. Helm merges the chart's default values with ours and validates the result against the
chart's values schema before it renders anything; this test does the same with the copies in
deploy/z2jh-chart/ (chart version named in its SOURCE.md), then asserts the hardening the class relies on.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CHART = DEPLOY / "z2jh-chart"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def helm_merge(defaults: dict, overrides: dict) -> dict:
    """Helm's coalescing of values: maps merge key by key, anything else replaces, null deletes."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def values() -> dict:
    return load(DEPLOY / "values.yaml")


@pytest.fixture(scope="module")
def validator():
    schema = load(CHART / "values.schema.yaml")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def problems(validator, values: dict) -> list[str]:
    merged = helm_merge(load(CHART / "default-values.yaml"), values)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(merged)]


def test_values_validate_against_the_pinned_charts_schema(values, validator):
    assert problems(validator, values) == []


def test_the_schema_catches_a_mistake(values, validator):
    typo = copy.deepcopy(values)
    typo["singleuser"]["memmory"] = typo["singleuser"].pop("memory")
    wrong_type = copy.deepcopy(values)
    wrong_type["proxy"]["https"]["hosts"] = "hub.example.edu.cn"
    assert any("memmory" in p for p in problems(validator, typo))
    assert any("hosts" in p for p in problems(validator, wrong_type))


def test_the_chart_version_is_named_where_a_maintainer_looks():
    version = re.search(r"Chart version: \*\*([\d.]+)\*\*", (CHART / "SOURCE.md").read_text()).group(1)
    assert "BSD 3-Clause" in (CHART / "LICENSE").read_text()
    assert f"--version {version}" in (DEPLOY / "values.yaml").read_text()
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert f"--version {version}" in readme and "没有实际运行" in readme


def test_values_keep_the_class_hardened(values):
    https = values["proxy"]["https"]
    assert https["enabled"] is True and https["hosts"] and (
        https["type"] == "letsencrypt" and "@" in https["letsencrypt"]["contactEmail"]
        or https["type"] == "secret" and https["secret"]["name"])
    hub = values["hub"]
    config = hub["config"]
    assert config["JupyterHub"]["authenticator_class"] == "classroom_auth.ClassroomAuthenticator"
    mounts = {Path(f["mountPath"]).name: f["mountPath"] for f in hub["extraFiles"].values()}
    assert {"roster.py", "classroom_auth.py", "roster.txt", "passwords"} <= set(mounts)
    folder = str(Path(mounts["classroom_auth.py"]).parent)
    assert f'sys.path.insert(0, "{folder}")' in "".join(hub["extraConfig"].values())
    assert config["ClassroomAuthenticator"] == {"roster_file": mounts["roster.txt"],
                                                "passwords_file": mounts["passwords"]}
    assert config["Authenticator"]["admin_users"], "the teacher's account exists from the start"
    assert "allow_all" not in config["Authenticator"] and "NativeAuthenticator" not in config
    single = values["singleuser"]
    assert "spawner_class" not in config["JupyterHub"], "KubeSpawner: one pod per participant"
    assert single["storage"]["type"] == "dynamic", "one volume per participant"
    assert single["uid"] != 0 and single["allowPrivilegeEscalation"] is False
    assert single["networkPolicy"]["enabled"] is True and single["cloudMetadata"]["blockWithIptables"] is True
    assert single["memory"]["limit"] and single["cpu"]["limit"]
    assert values["cull"]["enabled"] is True and 0 < values["cull"]["timeout"] <= 4 * 3600


def test_both_images_carry_the_courses_version_and_the_pinned_jupyterhub(values):
    version = (DEPLOY.parent / "VERSION").read_text().strip()
    assert values["singleuser"]["image"]["tag"] == version and values["hub"]["image"]["tag"] == version
    for dockerfile, image in [("Dockerfile", values["singleuser"]["image"]), ("Dockerfile.hub", values["hub"]["image"])]:
        text = (DEPLOY / dockerfile).read_text(encoding="utf-8")
        assert f"-t {image['name'].rsplit('/', 1)[-1]}:{version}" in text.replace("registry.example.org/", ""), dockerfile
        assert "deploy/requirements-hub.txt" in text, f"{dockerfile}: the JupyterHub this course pins"
        assert (DEPLOY / f"{dockerfile}.dockerignore").is_file()
    chart = re.search(r"Chart version: \*\*([\d.]+)\*\*", (CHART / "SOURCE.md").read_text()).group(1)
    assert f"FROM quay.io/jupyterhub/k8s-hub:{chart}\n" in (DEPLOY / "Dockerfile.hub").read_text()


def test_the_class_view_runs_on_the_cluster_with_the_same_scopes_as_on_one_server(values, monkeypatch):
    from .test_roster import load_hub_config
    monkeypatch.delenv("XINZHI_PUBLIC_URL", raising=False)
    monkeypatch.delenv("XINZHI_BIND_URL", raising=False)
    one_server = load_hub_config({"Authenticator": {"admin_users": {"laoshi"}}}).JupyterHub
    hub = values["hub"]
    config = hub["config"]
    assert config["JupyterHub"]["custom_scopes"] == dict(one_server.custom_scopes)
    roles = {r["name"]: r for r in one_server.load_roles}
    for name in ("user", "class-results-instructor"):
        assert hub["loadRoles"][name]["scopes"] == roles[name]["scopes"], name
    teachers = config["Authenticator"]["admin_users"]
    assert hub["loadRoles"]["class-results-instructor"]["users"] == hub["loadRoles"]["admin"]["users"] == teachers
    assert list(config["JupyterHub"]["load_groups"]) == ["instructors"]
    spawner = load_hub_config({"Authenticator": {"admin_users": {"laoshi"}}}).Spawner
    assert config["Spawner"]["server_token_scopes"] == spawner.server_token_scopes
    service = hub["services"]["class-results"]
    local = next(s for s in one_server.services if s["name"] == "class-results")
    for key in ("display", "oauth_no_confirm", "oauth_client_allowed_scopes"):
        assert service[key] == local[key], key
    assert service["command"][1:] == local["command"][1:] and Path(service["cwd"]).name == "deploy"
    # one port everywhere: the service's URL, the hub's Kubernetes Service, the network policies, the kernels' URL
    port = int(service["url"].rsplit(":", 1)[1])
    assert {p["port"] for p in hub["service"]["extraPorts"]} == {p["targetPort"] for p in hub["service"]["extraPorts"]} \
        == {port}
    allowed_in = hub["networkPolicy"]["ingress"]
    assert [p["port"] for rule in allowed_in for p in rule["ports"]] == [port]
    assert {s["podSelector"]["matchLabels"]["component"] for rule in allowed_in for s in rule["from"]} \
        == {"proxy", "singleuser-server"}, "nobody else reaches the class view"
    single = values["singleuser"]
    assert single["extraEnv"]["XINZHI_CLASS_RESULTS_URL"] == f"{service['url']}/services/class-results/"
    assert [p["port"] for rule in single["networkPolicy"]["egress"] for p in rule["ports"]] == [port]
    assert single["networkPolicy"]["egressAllowRules"]["nonPrivateIPs"] is False, "participants' pods stay offline"
    assert service["environment"]["XINZHI_CLASS_RESULTS_DIR"].startswith("/srv/jupyterhub/"), "on the hub's volume"
    tornado = config["JupyterHub"]["tornado_settings"]
    assert tornado["cookie_options"]["secure"] is True and "max-age" in tornado["headers"]["Strict-Transport-Security"]
