"""azext_acrtransfer._artifacts: `--artifacts` lists from the command line, `@file` and `@-`.

The `@file`/`@-` cases go through az's own expansion (`_expand_file_prefixed_files`, what az runs
on the command line before parsing), so they check how az really hands a file to a nargs='+' option.
"""
import io
from types import SimpleNamespace

import pytest
from azure.cli.core.azclierror import FileOperationError
from azure.cli.core.commands import _expand_file_prefixed_files

from azext_acrtransfer._artifacts import expand_artifact_values, expand_artifacts_argument, read_artifact_list

DIGEST = "sha256:" + "0123456789abcdef" * 4

LIST = """\
# artifacts for the nightly export
hello-world:v1

samples/nginx@{digest}   # pinned
alpine:3.19 busybox      # two on one line
\t  team/app:2024.06-rc1
""".format(digest=DIGEST)
EXPECTED = ["hello-world:v1", "samples/nginx@" + DIGEST, "alpine:3.19", "busybox", "team/app:2024.06-rc1"]


# ------------------------------------------------------------------------------------------ reading
def test_one_reference_per_line_with_blank_lines_and_comments():
    assert read_artifact_list(LIST) == EXPECTED


@pytest.mark.parametrize("text,expected", [
    ("", []),
    (None, []),
    ("\n\n  \n", []),
    ("# only a comment\n#another", []),
    ("a:1\r\nb:2\r\n", ["a:1", "b:2"]),              # Windows line ends
    ("\ufeffa:1\nb:2", ["a:1", "b:2"]),               # byte-order mark
    ("a:1#comment", ["a:1"]),                         # '#' never belongs to a reference
    ("a:1 b:2\tc:3", ["a:1", "b:2", "c:3"]),
])
def test_read_artifact_list_cases(text, expected):
    assert read_artifact_list(text) == expected


def test_order_and_duplicates_are_kept_for_the_validator_to_judge():
    assert read_artifact_list("b:1\na:1\nb:1") == ["b:1", "a:1", "b:1"]


def test_command_line_values_pass_unchanged():
    assert expand_artifact_values(["hello:v1", "samples/nginx@" + DIGEST]) == ["hello:v1", "samples/nginx@" + DIGEST]
    assert expand_artifact_values("hello:v1") == ["hello:v1"]
    assert expand_artifact_values(None) is None
    assert expand_artifact_values([]) == []


def test_namespace_step():
    namespace = SimpleNamespace(artifacts=["x:1", "a:1\n# c\nb:2"])
    expand_artifacts_argument(namespace)
    assert namespace.artifacts == ["x:1", "a:1", "b:2"]
    untouched = SimpleNamespace(artifacts=None)
    expand_artifacts_argument(untouched)
    assert untouched.artifacts is None
    expand_artifacts_argument(SimpleNamespace())   # an import run's namespace may lack it


# ------------------------------------------------------------------------------------------ az's @file
def az_argv(*argv):
    """What az hands the parser: `@file` and `@-` already replaced by content."""
    return _expand_file_prefixed_files(list(argv))


def test_at_file_arrives_as_one_value_holding_the_whole_file(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(LIST, encoding="utf-8")
    argv = az_argv("--artifacts", "@" + str(path))
    assert argv[1] == LIST.rstrip("\n")              # one element: nargs='+' sees a single value
    assert expand_artifact_values(argv[1:]) == EXPECTED


def test_at_file_mixes_with_values_and_equals_form(tmp_path):
    path = tmp_path / "more.txt"
    path.write_bytes(b"\xef\xbb\xbfalpine:3\r\nbusybox:1\r\n")   # BOM and CRLF from a Windows editor
    argv = az_argv("--artifacts", "hello:v1", "@" + str(path))
    assert expand_artifact_values(argv[1:]) == ["hello:v1", "alpine:3", "busybox:1"]
    argv = az_argv("--artifacts=@" + str(path))
    assert expand_artifact_values([argv[0].split("=", 1)[1]]) == ["alpine:3", "busybox:1"]


def test_at_dash_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("hello:v1\n# skip\nnginx:1\n"))
    argv = az_argv("--artifacts", "@-")
    assert expand_artifact_values(argv[1:]) == ["hello:v1", "nginx:1"]


def test_digest_references_are_not_taken_for_files():
    argv = az_argv("--artifacts", "samples/nginx@" + DIGEST)
    assert argv[1] == "samples/nginx@" + DIGEST


def test_a_file_az_could_not_read_is_named(tmp_path):
    missing = "@" + str(tmp_path / "nope.txt")
    argv = az_argv("--artifacts", missing)
    assert argv[1] == missing                        # az keeps the text when the file cannot be opened
    with pytest.raises(FileOperationError) as info:
        expand_artifact_values(argv[1:])
    message = str(info.value)
    assert "--artifacts/-a" in message and "nope.txt" in message and "could not be read" in message
    assert "@-" in info.value.recommendations[0]


def test_expanded_lists_satisfy_the_artifact_validator(tmp_path):
    from azext_acrtransfer._validators import validate_artifacts
    namespace = SimpleNamespace(artifacts=[LIST])
    expand_artifacts_argument(namespace)
    validate_artifacts(namespace)
    assert namespace.artifacts == EXPECTED
