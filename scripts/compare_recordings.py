#!/usr/bin/env python3
"""Compare two recordings of the scenario cassettes: is a re-recording the same, apart from what must vary?

Usage: scripts/compare_recordings.py OLD_DIR NEW_DIR [--shape-only] [--max N]

Cassettes are matched by file name, then interaction by interaction (in order): method, URI, status
code, the request and response bodies and the Location / Azure-AsyncOperation headers. Before comparing,
what varies from one recording to the next is normalised:

* times: ISO-8601 timestamps (-> <TIME>), RFC-1123 dates (-> <DATE>), 14-digit UTC stamps such as
  the source trigger's run names end with (-> <STAMP>), durations like PT1.5S (-> <DURATION>);
* UUIDs (principal ids, operation ids, request ids) (-> <UUID>);
* random names (the testsdk's create_random_name: a prefix and random letters and digits): a word of
  OLD may differ from the word at the same place in NEW only when both have the same length and
  prefix (3+ characters), and the pairing must hold throughout the cassette (one OLD name, one NEW name).

Bodies that are JSON are compared value by value after normalisation (or by shape only: keys, list
lengths and value types, with --shape-only); other bodies as normalised text. Response headers other
than the two URIs, and Content-Length, are ignored. Exit 0 when nothing differs, 1 otherwise, 2 on usage errors.

Known, timing-dependent differences between two honest recordings (seen in consecutive `make record`s):
test_artifacts_from_file (`create --no-wait` then `show` sees the run Running or already Failed) and,
now and then, test_batch_over_50 / test_list_filters (the concurrent batch runs are created in a
different order; test_list_filters lists them too).
"""
import argparse
import json
import os
import re
import sys

import yaml

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")
RFC1123 = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d\d:\d\d:\d\d GMT")
STAMP = re.compile(r"(?<![0-9])20\d{12}(?![0-9])")
DURATION = re.compile(r"\bP(T(\d+(\.\d+)?[HMS])+)\b")
UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
WORD = re.compile(r"[A-Za-z0-9]+")
URI_HEADERS = ("location", "azure-asyncoperation")
MIN_PREFIX = 3


def normalise(text):
    text = ISO_TIME.sub("<TIME>", text)
    text = RFC1123.sub("<DATE>", text)
    text = UUID.sub("<UUID>", text)
    text = STAMP.sub("<STAMP>", text)
    return DURATION.sub("<DURATION>", text)


class Names:
    """The pairing of random names between OLD and NEW within one cassette."""

    def __init__(self):
        self.old_to_new, self.new_to_old = {}, {}

    @staticmethod
    def _random_pair(a, b):
        if len(a) != len(b) or len(a) < MIN_PREFIX + 4:
            return False
        common = len(os.path.commonprefix([a, b]))
        return common >= MIN_PREFIX and a.islower() == b.islower()

    def same(self, a, b):
        """Do two normalised strings match, words allowed to differ as paired random names?"""
        if a == b:
            return True
        wa, wb = WORD.split(a), WORD.split(b)
        if wa != wb:                       # the text between words differs
            return False
        for x, y in zip(WORD.findall(a), WORD.findall(b)):
            if x == y:
                continue
            if not self._random_pair(x, y):
                return False
            if self.old_to_new.setdefault(x, y) != y or self.new_to_old.setdefault(y, x) != x:
                return False
        return True


def _load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def _body(message):
    body = message.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body


def _compare_values(old, new, names, where, shape_only, out):
    if type(old) is not type(new):
        out.append("%s: %s -> %s" % (where, type(old).__name__, type(new).__name__))
    elif isinstance(old, dict):
        for key in sorted(set(old) | set(new)):
            if key not in new:
                out.append("%s.%s: only in OLD" % (where, key))
            elif key not in old:
                out.append("%s.%s: only in NEW" % (where, key))
            else:
                _compare_values(old[key], new[key], names, "%s.%s" % (where, key), shape_only, out)
    elif isinstance(old, list):
        if len(old) != len(new):
            out.append("%s: %d items -> %d" % (where, len(old), len(new)))
        for i, (a, b) in enumerate(zip(old, new)):
            _compare_values(a, b, names, "%s[%d]" % (where, i), shape_only, out)
    elif not shape_only:
        a, b = (normalise(v) if isinstance(v, str) else v for v in (old, new))
        if not (names.same(a, b) if isinstance(a, str) else a == b):
            out.append("%s: %s -> %s" % (where, _short(old), _short(new)))


def _short(value, limit=160):
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "..."


def compare_cassette(old_path, new_path, shape_only):
    """The differences between two cassettes, as lines."""
    old, new = _load(old_path).get("interactions") or [], _load(new_path).get("interactions") or []
    names, out = Names(), []
    if len(old) != len(new):
        out.append("%d interactions -> %d" % (len(old), len(new)))
    for i, (a, b) in enumerate(zip(old, new)):
        at = "#%d %s" % (i, a["request"]["method"])
        diffs = []
        if a["request"]["method"] != b["request"]["method"]:
            diffs.append("method %s -> %s" % (a["request"]["method"], b["request"]["method"]))
        if not names.same(normalise(a["request"]["uri"]), normalise(b["request"]["uri"])):
            diffs.append("uri %s -> %s" % (a["request"]["uri"], b["request"]["uri"]))
        if a["response"]["status"]["code"] != b["response"]["status"]["code"]:
            diffs.append("status %s -> %s" % (a["response"]["status"]["code"], b["response"]["status"]["code"]))
        for side in ("request", "response"):
            _compare_values(_body(a[side]), _body(b[side]), names, side + ".body", shape_only, diffs)
        headers = [{k.lower(): v for k, v in (x["response"].get("headers") or {}).items()} for x in (a, b)]
        for header in URI_HEADERS:
            values = [h.get(header) for h in headers]
            if (values[0] is None) != (values[1] is None):
                diffs.append("header %s: %s -> %s" % (header, values[0], values[1]))
            elif values[0] and not names.same(normalise(values[0][0]), normalise(values[1][0])):
                diffs.append("header %s: %s -> %s" % (header, values[0][0], values[1][0]))
        out.extend("%s %s" % (at, d) for d in diffs)
        if len(diffs) and len(out) > 200:
            out.append("... (stopped at interaction %d)" % i)
            break
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old_dir")
    parser.add_argument("new_dir")
    parser.add_argument("--shape-only", action="store_true", help="compare bodies by shape, not values")
    parser.add_argument("--max", type=int, default=10, help="differences shown per cassette (default 10)")
    args = parser.parse_args(argv)
    for d in (args.old_dir, args.new_dir):
        if not os.path.isdir(d):
            parser.error("not a directory: " + d)
    old = {f for f in os.listdir(args.old_dir) if f.endswith(".yaml")}
    new = {f for f in os.listdir(args.new_dir) if f.endswith(".yaml")}
    differing = 0
    for name in sorted(old - new):
        print("%s: only in OLD" % name)
    for name in sorted(new - old):
        print("%s: only in NEW" % name)
    interactions = 0
    for name in sorted(old & new):
        diffs = compare_cassette(os.path.join(args.old_dir, name), os.path.join(args.new_dir, name), args.shape_only)
        interactions += len(_load(os.path.join(args.new_dir, name)).get("interactions") or [])
        if diffs:
            differing += 1
            print("%s: %d difference(s)" % (name, len(diffs)))
            for line in diffs[:args.max]:
                print("    " + line)
            if len(diffs) > args.max:
                print("    ... %d more" % (len(diffs) - args.max))
    problems = differing + len(old ^ new)
    print("%d cassettes, %d interactions compared, %d cassette(s) differ%s" % (
        len(old & new), interactions, problems, " (bodies by shape only)" if args.shape_only else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
