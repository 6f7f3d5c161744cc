"""nextLink paging at a configurable page size (2 here) across 5 resources, for every collection."""
import pytest

from acrtransfer_emulator.testing import Emulator
from emulator_helpers import FAST, assert_error, export_body, export_run_body, get, import_body, put, registry_path


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    with Emulator(tmp_path_factory.mktemp("paged"), page_size=2, config=FAST) as emu:
        yield emu


def _pages(emu, first_path):
    pages = [emu.arm("GET", first_path).json()]
    while "nextLink" in pages[-1]:
        # nextLink is absolute and carries api-version and $skipToken: follow it as is.
        response = emu.arm("GET", pages[-1]["nextLink"], api_version=None)
        assert response.status_code == 200, response.text
        pages.append(response.json())
    return pages


@pytest.mark.parametrize("collection", ["exportPipelines", "importPipelines", "pipelineRuns"])
def test_five_resources_in_pages_of_two(paged, collection):
    paged.admin("POST", "/reset")
    put(paged, "sourceregistry", "exportPipelines", "pager", export_body())
    names = ["item{}x".format(i) for i in range(5)]
    for name in names:
        if collection == "exportPipelines":
            body = export_body()
        elif collection == "importPipelines":
            body = import_body()
        else:
            body = export_run_body("sourceregistry", "pager")
        assert put(paged, "sourceregistry", collection, name, body).status_code == 200
    pages = _pages(paged, registry_path("sourceregistry") + "/" + collection)
    sizes = [len(p["value"]) for p in pages]
    listed = [d["name"] for p in pages for d in p["value"]]
    if collection == "exportPipelines":
        names = ["pager"] + names
    assert listed == names                       # creation order, nothing lost or repeated
    assert all(size == 2 for size in sizes[:-1]) and 1 <= sizes[-1] <= 2
    assert "nextLink" not in pages[-1]
    link = pages[0]["nextLink"]
    assert link.startswith(paged.url + registry_path("sourceregistry") + "/" + collection + "?")
    assert "api-version=2025-06-01-preview" in link and "$skipToken=" in link


def test_exactly_one_page_has_no_next_link(paged):
    paged.admin("POST", "/reset")
    for name in ("onlyone1", "onlyone2"):
        put(paged, "sourceregistry", "exportPipelines", name, export_body())
    body = get(paged, "sourceregistry", "exportPipelines").json()
    assert len(body["value"]) == 2 and "nextLink" not in body


def test_bad_skip_token(paged):
    assert_error(paged.arm("GET", registry_path("sourceregistry") + "/exportPipelines",
                           params={"$skipToken": "garbage!"}), 400, "InvalidPropertyValue", "$skipToken")
