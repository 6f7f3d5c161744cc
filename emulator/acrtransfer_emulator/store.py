"""State in SQLite: ARM documents keyed by subscription, resource group, registry, collection and name.

One connection shared by the request handlers and the run executor's threads, serialised by a lock
(SQLite work here is sub-millisecond, so one lock is simpler than a pool and cannot deadlock).
Documents are the JSON the service answers with; ``meta`` holds what the service keeps for itself
(a run's execution id). Blob bytes are never here: the data plane keeps them in storage.
Names are matched case-insensitively, as ARM does, and keep the casing they were created with.
"""
import json
import sqlite3
import threading
from collections import namedtuple

SCHEMA = """
CREATE TABLE IF NOT EXISTS resource_groups (
    subscription TEXT NOT NULL, name_key TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (subscription, name_key));
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription TEXT NOT NULL, resource_group TEXT NOT NULL, registry TEXT NOT NULL,
    collection TEXT NOT NULL, name_key TEXT NOT NULL,
    doc TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}',
    UNIQUE (subscription, resource_group, registry, collection, name_key));
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
    start_time TEXT NOT NULL, end_time TEXT, error TEXT, due REAL, created REAL NOT NULL);
"""

# Where a resource lives. ``collection`` is the ARM collection name (exportPipelines...).
ResourceKey = namedtuple("ResourceKey", "subscription resource_group registry collection name")
Record = namedtuple("Record", "key doc meta seq")


def _k(text):
    return text.lower()


class Store:
    def __init__(self, path):
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self):
        with self._lock:
            self._db.close()

    def _rows(self, sql, args=()):
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _exec(self, sql, args=()):
        with self._lock:
            return self._db.execute(sql, args)

    # -- resource groups ------------------------------------------------------------------------
    def get_resource_group(self, subscription, name):
        rows = self._rows("SELECT doc FROM resource_groups WHERE subscription=? AND name_key=?",
                          (_k(subscription), _k(name)))
        return json.loads(rows[0][0]) if rows else None

    def put_resource_group(self, subscription, doc):
        self._exec("INSERT INTO resource_groups (subscription, name_key, doc) VALUES (?, ?, ?) "
                   "ON CONFLICT (subscription, name_key) DO UPDATE SET doc=excluded.doc",
                   (_k(subscription), _k(doc["name"]), json.dumps(doc)))

    def list_resource_groups(self, subscription):
        return [json.loads(r[0]) for r in self._rows(
            "SELECT doc FROM resource_groups WHERE subscription=? ORDER BY rowid", (_k(subscription),))]

    # -- resources ------------------------------------------------------------------------------
    @staticmethod
    def _where(key):
        return ((_k(key.subscription), _k(key.resource_group), _k(key.registry), _k(key.collection),
                 _k(key.name)))

    _KEY_SQL = "subscription=? AND resource_group=? AND registry=? AND collection=? AND name_key=?"

    def get(self, key):
        rows = self._rows("SELECT doc, meta, seq FROM resources WHERE " + self._KEY_SQL, self._where(key))
        if not rows:
            return None
        return Record(key, json.loads(rows[0][0]), json.loads(rows[0][1]), rows[0][2])

    def put(self, key, doc, meta=None):
        """Create or replace; a replaced resource keeps its place in list order."""
        with self._lock:
            self._db.execute(
                "INSERT INTO resources (subscription, resource_group, registry, collection, name_key, doc, meta) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscription, resource_group, registry, collection, "
                "name_key) DO UPDATE SET doc=excluded.doc, meta=excluded.meta",
                self._where(key) + (json.dumps(doc), json.dumps(meta or {})))
            return self.get(key)

    def update(self, key, mutate):
        """Atomically read, mutate and write one resource. ``mutate(doc, meta)`` returns ``(doc, meta)``
        or None to leave it unchanged. Returns the new Record, or None if the resource does not exist."""
        with self._lock:
            record = self.get(key)
            if record is None:
                return None
            changed = mutate(record.doc, record.meta)
            if changed is None:
                return record
            return self.put(key, *changed)

    def delete(self, key):
        return self._exec("DELETE FROM resources WHERE " + self._KEY_SQL, self._where(key)).rowcount > 0

    def list(self, subscription, resource_group, registry, collection, after_seq=0, limit=None):
        """Resources of one collection in creation order, starting after ``after_seq``."""
        sql = ("SELECT subscription, resource_group, registry, collection, name_key, doc, meta, seq FROM resources "
               "WHERE subscription=? AND resource_group=? AND registry=? AND collection=? AND seq>? ORDER BY seq")
        args = [_k(subscription), _k(resource_group), _k(registry), _k(collection), after_seq]
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [self._record(row) for row in self._rows(sql, args)]

    def all_resources(self, collection=None):
        sql = "SELECT subscription, resource_group, registry, collection, name_key, doc, meta, seq FROM resources"
        args = ()
        if collection:
            sql, args = sql + " WHERE collection=?", (_k(collection),)
        return [self._record(row) for row in self._rows(sql + " ORDER BY seq", args)]

    @staticmethod
    def _record(row):
        doc = json.loads(row[5])
        key = ResourceKey(row[0], row[1], row[2], row[3], doc.get("name", row[4]))
        return Record(key, doc, json.loads(row[6]), row[7])

    # -- operations -----------------------------------------------------------------------------
    def create_operation(self, op_id, resource_id, kind, start_time, due=None, created=0.0):
        self._exec("INSERT INTO operations (id, resource_id, kind, status, start_time, due, created) "
                   "VALUES (?, ?, ?, 'InProgress', ?, ?, ?)", (op_id, resource_id, kind, start_time, due, created))
        return self.get_operation(op_id)

    def get_operation(self, op_id):
        rows = self._rows("SELECT id, resource_id, kind, status, start_time, end_time, error, due FROM operations "
                          "WHERE id=?", (op_id,))
        return self._op(rows[0]) if rows else None

    def finish_operation(self, op_id, status, end_time, error=None):
        self._exec("UPDATE operations SET status=?, end_time=?, error=? WHERE id=? AND status='InProgress'",
                   (status, end_time, json.dumps(error) if error else None, op_id))

    def operations_in_progress(self, resource_id=None, due_before=None):
        sql = ("SELECT id, resource_id, kind, status, start_time, end_time, error, due FROM operations "
               "WHERE status='InProgress'")
        args = []
        if resource_id is not None:
            sql += " AND lower(resource_id)=?"
            args.append(resource_id.lower())
        if due_before is not None:
            sql += " AND due IS NOT NULL AND due<=?"
            args.append(due_before)
        return [self._op(row) for row in self._rows(sql + " ORDER BY created", args)]

    @staticmethod
    def _op(row):
        return {"id": row[0], "resource_id": row[1], "kind": row[2], "status": row[3], "start_time": row[4],
                "end_time": row[5], "error": json.loads(row[6]) if row[6] else None, "due": row[7]}

    # -- tests ----------------------------------------------------------------------------------
    def reset(self, resource_groups=()):
        """Forget every resource and operation; resource groups go back to ``resource_groups``."""
        with self._lock:
            self._db.execute("DELETE FROM resources")
            self._db.execute("DELETE FROM operations")
            self._db.execute("DELETE FROM resource_groups")
            for subscription, doc in resource_groups:
                self.put_resource_group(subscription, doc)
