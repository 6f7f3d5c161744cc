"""`--artifacts` from the command line, a file or standard input.

az itself reads any argument written `@<file>` as the file's content and `@-` as standard input
(AzCliCommandInvoker expands them before parsing), so `--artifacts @list.txt` reaches the command
as ONE value holding the whole file, and `--artifacts a:1 @more.txt` as two. Every value is read
here as a list: one or more references per line, separated by whitespace, blank lines and `#`
comments allowed (a reference never contains whitespace or '#'). A value still starting with '@'
is a file az could not read: az keeps the text when opening it fails.
"""
from azure.cli.core.azclierror import FileOperationError


def read_artifact_list(text):
    """The references in `text`, in order: whitespace-separated, '#' starts a comment to the end
    of its line, blank lines ignored; a leading byte-order mark is dropped."""
    if not text:
        return []
    references = []
    for line in str(text).lstrip("\ufeff").splitlines():
        references.extend(line.split("#", 1)[0].split())
    return references


def expand_artifact_values(values):
    """The references of every `--artifacts` value (each a reference, a list, or a file's content
    expanded by az). None stays None. Raises FileOperationError for an '@<file>' az could not read."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    references = []
    for value in values:
        text = str(value)
        if text.startswith("@") and len(text) > 1:
            from ._validators import OPT_ARTIFACTS  # _validators imports this module
            path = text[1:]
            raise FileOperationError(
                "{} '{}': the file '{}' could not be read.".format(OPT_ARTIFACTS, text, path),
                recommendation="Check the path. '@<file>' reads a list of artifacts from a file and '@-' from "
                               "standard input: one or more per line, blank lines and '#' comments allowed.")
        references.extend(read_artifact_list(text))
    return references


def expand_artifacts_argument(namespace):
    """Namespace step for the pipeline-run create validator, before the artifact rules: replace
    `namespace.artifacts` by the references its values hold."""
    if getattr(namespace, "artifacts", None) is not None:
        namespace.artifacts = expand_artifact_values(namespace.artifacts)
