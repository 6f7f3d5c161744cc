"""No secret (SAS signature, token, identity header, account key, private key) in any command's output,
in the `--debug` log (the extension's own lines, and az's around them), in the service log, or in a
cassette.

The commands run as real az processes with --debug, over a SasToken pipeline whose secret URI has a
version, and with SAS signatures planted where a user might paste one (the storage URI, the secret
URI, a blob name).
"""
import glob
import os
import re

import pytest

from acrtransfer_emulator.testing import Emulator
from robustness_helpers import (
    CONTAINER_URI, FAST, RG, ROOT, SECRET_URI, az_environment, require_dev_extension, run_az)

pytestmark = pytest.mark.robustness

PLANTED_SIG = "PLANTEDsig0123456789abcdefSECRET"
PLANTED_SAS = "sv=2022-11-02&ss=b&srt=co&sp=rwl&se=2030-01-01T00:00:00Z&sig=" + PLANTED_SIG
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

PATTERNS = {
    "a SAS signature": re.compile(r"[?&]sig=(?!REDACTED|\*)[^&\s\"'<]+", re.I),
    "a bearer token (JWT)": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),
    "an Authorization header value": re.compile(r"Authorization['\"]?\s*[:=]\s*\[?['\"]?Bearer\s+[A-Za-z0-9]", re.I),
    "an account key": re.compile(r"AccountKey=(?!\*)[A-Za-z0-9+/=]{20,}"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}


def leaks(text, extra_secrets=()):
    found = ["{}: ...{}...".format(what, match.group(0)[:40]) for what, pattern in PATTERNS.items()
             for match in pattern.finditer(text)]
    found += ["the planted signature"] if PLANTED_SIG in text else []
    found += ["the Azurite account key"] if AZURITE_KEY in text else []
    found += ["a known secret ({}...)".format(secret[:6]) for secret in extra_secrets if secret and secret in text]
    return found


def without_argument_echo(debug_output):
    """az's own --debug echo of the command line ("Command arguments: [...]") repeats what the user
    typed, planted signatures included; everything else must be clean."""
    return "\n".join(line for line in debug_output.splitlines() if "Command arguments:" not in line)


def extension_lines(debug_output):
    """The --debug lines the extension itself logs (knack names its loggers cli.<module>)."""
    return [line for line in debug_output.splitlines() if "cli.azext_acrtransfer" in line]


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory):
    require_dev_extension()
    with Emulator(tmp_path_factory.mktemp("secrets"), config=FAST, login=True) as emu:
        yield emu


def _commands():
    scope = ["-g", RG, "-r", "sourceregistry"]
    target = ["-g", RG, "-r", "targetregistry"]
    return [
        # Refused before the wire, with a signature pasted into a URI or a name.
        (["acr", "export-pipeline", "create"] + scope + ["-n", "leakexport2", "-m", "SasToken", "-s", SECRET_URI,
                                                         "-c", CONTAINER_URI + "?" + PLANTED_SAS], False),
        (["acr", "import-pipeline", "create"] + target + ["-n", "leakimport2", "-m", "SasToken", "-c", CONTAINER_URI,
                                                          "-s", SECRET_URI + "?" + PLANTED_SAS], False),
        # A SasToken pipeline whose secret URI has a version, and everything done with it.
        (["acr", "export-pipeline", "create"] + scope + ["-n", "leakexport1", "-m", "SasToken", "-s", SECRET_URI,
                                                         "-c", CONTAINER_URI], True),
        (["acr", "import-pipeline", "create"] + target + ["-n", "leakimport1", "-m", "SasToken", "-s", SECRET_URI,
                                                          "-c", CONTAINER_URI, "-e", "false"], True),
        (["acr", "export-pipeline", "update"] + scope + ["-n", "leakexport1", "-s",
                                                         SECRET_URI.rsplit("/", 1)[0] + "/fedcba9876543210"], True),
        (["acr", "export-pipeline", "show"] + scope + ["-n", "leakexport1"], True),
        (["acr", "import-pipeline", "list"] + target + ["-o", "table"], True),
        (["acr", "pipeline-run", "create"] + scope + ["-n", "leakrun1", "-p", "leakexport1", "-t", "export",
                                                      "-b", "leak.tar", "-a", "hello-world:v1"], None),
        (["acr", "pipeline-run", "show"] + scope + ["-n", "leakrun1"], True),
        (["acr", "pipeline-run", "list"] + scope + ["-o", "table"], True),
        (["acr", "pipeline-run", "clean"] + scope + ["--yes"], True),
        (["acr", "export-pipeline", "delete"] + scope + ["-n", "leakexport1"], True),
        (["acr", "import-pipeline", "delete"] + target + ["-n", "leakimport1"], True),
    ]


def test_no_secret_in_command_output_or_debug_log(secret_service):
    emu = secret_service
    env = az_environment(emu, fast_tls=False)
    secrets = [env["IDENTITY_HEADER"], emu.token()]
    problems = []
    for argv, succeeds in _commands():
        result = run_az(env, *(argv + ["--debug"]), timeout=180)
        # --debug logs a traceback for every error (az's way); an unexpected error is still a failure.
        assert "unexpected error" not in result.stderr, result
        if succeeds is not None:
            assert (result.code == 0) == succeeds, result
        output = result.stdout + "\n" + without_argument_echo(result.stderr)
        assert "DEBUG: " in result.stderr, result                # the --debug log is really there
        errors = "\n".join(line for line in result.stderr.splitlines() if line.startswith("ERROR: "))
        for where, text in (("the extension's --debug lines", "\n".join(extension_lines(result.stderr))),
                            ("the error message", errors),
                            ("the output and --debug log", output)):
            for leak in leaks(text, secrets):
                problems.append("az {}: {} in {}".format(" ".join(argv[:3]), leak, where))
    assert not problems, "\n".join(problems)


def test_a_blob_sas_url_given_as_blob_name_is_refused_without_echoing_the_signature(secret_service):
    env = az_environment(secret_service, fast_tls=False)
    result = run_az(env, "acr", "pipeline-run", "create", "-g", RG, "-r", "sourceregistry", "-n", "leakrun2",
                    "-p", "leakexport1", "-t", "export", "-a", "hello-world:v1",
                    "-b", "https://transferstore.blob.core.windows.net/transfer/leak.tar?" + PLANTED_SAS)
    assert result.code != 0 and "ERROR:" in result.stderr, result
    assert not leaks(result.stdout + result.stderr), result


def test_no_secret_in_the_service_log(secret_service):
    emu = secret_service
    env = az_environment(emu, fast_tls=False)
    # Requests that carry secrets in every place a client can put them.
    emu.arm("GET", emu.registry_path("sourceregistry") + "/exportPipelines", params={"sig": PLANTED_SIG})
    emu.arm("GET", emu.url + "/subscriptions?" + PLANTED_SAS + "&api-version=2022-12-01", api_version=None)
    run_az(env, "acr", "export-pipeline", "list", "-g", RG, "-r", "sourceregistry")
    with open(os.path.join(emu.home, "emulator.log"), encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "GET /subscriptions" in log                             # the log is the one these requests wrote
    found = leaks(log, [env["IDENTITY_HEADER"], emu.token()])
    assert not found, found


CASSETTES = sorted(glob.glob(os.path.join(ROOT, "tests", "scenario", "recordings", "*.yaml")))


@pytest.mark.skipif(not CASSETTES, reason="no cassettes recorded yet (make record)")
@pytest.mark.parametrize("cassette", CASSETTES, ids=os.path.basename)
def test_no_secret_in_cassettes(cassette):
    import yaml
    with open(cassette, encoding="utf-8") as f:
        text = f.read()
    found = leaks(text)
    for interaction in yaml.safe_load(text)["interactions"]:
        headers = {k.lower() for k in interaction["request"].get("headers", {})}
        found += ["a request header {}".format(h) for h in headers & {"authorization", "x-identity-header"}]
        uri = interaction["request"]["uri"]
        if "/msi/" in uri or "/oauth2/" in uri or "/_emulator/" in uri:
            found.append("token or admin traffic: " + uri)
    assert not found, found
