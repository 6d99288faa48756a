"""课堂看板的数据 / The class view's data in one SQLite file: classes, who joined under which pseudonym, results.

* A **class** has a random id, a name the teacher gives it, and is open (participants may join and send) or
  archived (read-only). At most one class is open at a time: it is the one participants join.
* A **member** is a hub user who joined a class; the service gives them a random per-class pseudonym (a number
  from 100 to 999). Results are stored under the pseudonym only; the user name lives in ``members`` alone, so
  wiping a class, or a participant leaving it, removes the link with the results.
* A **result** is one validated record (see ``intake.py``), kept as JSON with its digest: sending the same
  record twice stores it once, so a participant's kernel may resend after a failure without counting twice.
  A capstone formula is kept once per member: the newest replaces the last.

Every change is one SQLite transaction (write-ahead log, ``synchronous=FULL``): it is on disk before the
service answers, and a killed service loses nothing it has acknowledged. ``expire`` deletes results older than
the retention period and classes without activity for that long.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, archived REAL,
    changed REAL NOT NULL, version INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS members (
    class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE, user TEXT NOT NULL,
    pseudonym INTEGER NOT NULL, joined REAL NOT NULL,
    PRIMARY KEY (class_id, user), UNIQUE (class_id, pseudonym));
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    pseudonym INTEGER NOT NULL, kind TEXT NOT NULL, notebook TEXT NOT NULL, item TEXT NOT NULL,
    body TEXT NOT NULL, digest TEXT NOT NULL, received REAL NOT NULL,
    UNIQUE (class_id, pseudonym, digest));
CREATE INDEX IF NOT EXISTS results_of_class ON results (class_id, notebook);
"""
PSEUDONYMS = range(100, 1000)
RESULTS_PER_MEMBER = 3000   # far above a whole course (about 150 records), far below a flood


class Refused(Exception):
    """A request the store will not carry out; ``status`` is the HTTP status, the message is Chinese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Result:
    pseudonym: int
    kind: str
    notebook: str
    item: str
    body: dict
    received: float


class Store:
    def __init__(self, path: str | Path, clock=time.time):
        self.path, self.clock = Path(path), clock
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db = sqlite3.connect(self.path, isolation_level=None)  # transactions are explicit below
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        for suffix in ("", "-wal", "-shm"):  # the results are the participants': readable by the service only
            target = Path(f"{self.path}{suffix}")
            if target.exists():
                target.chmod(0o600)

    def close(self) -> None:
        self.db.close()

    # --- transactions ----------------------------------------------------------------------------------------
    def _write(self, action):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            value = action()
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return value

    def _touch(self, class_id: str) -> None:
        self.db.execute("UPDATE classes SET changed = ?, version = version + 1 WHERE id = ?", (self.clock(), class_id))

    # --- classes ---------------------------------------------------------------------------------------------
    def classes(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT c.*, (SELECT COUNT(*) FROM members m WHERE m.class_id = c.id) AS joined, "
            "(SELECT COUNT(*) FROM results r WHERE r.class_id = c.id) AS results "
            "FROM classes c ORDER BY c.created DESC").fetchall()
        return [dict(row) for row in rows]

    def get(self, class_id: str) -> dict | None:
        return next((c for c in self.classes() if c["id"] == class_id), None)

    def current(self) -> dict | None:
        """The open class, which participants join (None if the teacher has not opened one)."""
        return next((c for c in self.classes() if c["archived"] is None), None)

    def create(self, name: str) -> dict:
        def action():
            if self.db.execute("SELECT 1 FROM classes WHERE archived IS NULL").fetchone():
                raise Refused(409, "已经有一个正在进行的班级：请先把它归档，再开新班。")
            class_id = secrets.token_hex(4)
            now = self.clock()
            self.db.execute("INSERT INTO classes (id, name, created, changed) VALUES (?, ?, ?, ?)",
                            (class_id, name, now, now))
            return class_id
        return self.get(self._write(action))

    def _open(self, class_id: str) -> dict:
        found = self.db.execute("SELECT * FROM classes WHERE id = ?", (class_id,)).fetchone()
        if found is None:
            raise Refused(404, "没有这个班级（可能已被老师删除）。")
        if found["archived"] is not None:
            raise Refused(403, "这个班级已经归档，不再接收结果。")
        return dict(found)

    def archive(self, class_id: str) -> None:
        def action():
            self._open(class_id)
            self.db.execute("UPDATE classes SET archived = ? WHERE id = ?", (self.clock(), class_id))
            self._touch(class_id)
        self._write(action)

    def reset(self, class_id: str) -> int:
        """Delete the class's results (members stay joined); how many were deleted."""
        def action():
            if not self.db.execute("SELECT 1 FROM classes WHERE id = ?", (class_id,)).fetchone():
                raise Refused(404, "没有这个班级。")
            deleted = self.db.execute("DELETE FROM results WHERE class_id = ?", (class_id,)).rowcount
            self._touch(class_id)
            return deleted
        return self._write(action)

    def wipe(self, class_id: str) -> None:
        """Delete the class, its members and its results."""
        def action():
            if not self.db.execute("DELETE FROM classes WHERE id = ?", (class_id,)).rowcount:
                raise Refused(404, "没有这个班级。")
        self._write(action)

    def expire(self, retention_seconds: float) -> tuple[int, int]:
        """Delete results older than the retention period, and classes with no activity for that long."""
        limit = self.clock() - retention_seconds

        def action():
            results = self.db.execute("DELETE FROM results WHERE received < ?", (limit,)).rowcount
            classes = self.db.execute("DELETE FROM classes WHERE changed < ?", (limit,)).rowcount
            return results, classes
        return self._write(action)

    # --- members ---------------------------------------------------------------------------------------------
    def pseudonym(self, class_id: str, user: str) -> int | None:
        row = self.db.execute("SELECT pseudonym FROM members WHERE class_id = ? AND user = ?",
                              (class_id, user)).fetchone()
        return row["pseudonym"] if row else None

    def member(self, class_id: str, user: str) -> int:
        """The pseudonym of ``user`` in the open class ``class_id``; Refused if the class is closed or not theirs."""
        self._open(class_id)
        pseudonym = self.pseudonym(class_id, user)
        if pseudonym is None:
            raise Refused(403, "你还没有加入这个班级的课堂看板。")
        return pseudonym

    def join(self, class_id: str, user: str) -> int:
        def action():
            self._open(class_id)
            known = self.pseudonym(class_id, user)
            if known is not None:
                return known
            taken = {r[0] for r in self.db.execute("SELECT pseudonym FROM members WHERE class_id = ?", (class_id,))}
            free = [n for n in PSEUDONYMS if n not in taken]
            if not free:
                raise Refused(409, "这个班级的匿名代号已经用完。")
            chosen = secrets.choice(free)
            self.db.execute("INSERT INTO members VALUES (?, ?, ?, ?)", (class_id, user, chosen, self.clock()))
            self._touch(class_id)
            return chosen
        return self._write(action)

    def leave(self, class_id: str, user: str) -> int:
        """Forget the member and delete their results; how many results were deleted."""
        def action():
            known = self.pseudonym(class_id, user)
            if known is None:
                return 0
            deleted = self.db.execute("DELETE FROM results WHERE class_id = ? AND pseudonym = ?",
                                      (class_id, known)).rowcount
            self.db.execute("DELETE FROM members WHERE class_id = ? AND user = ?", (class_id, user))
            self._touch(class_id)
            return deleted
        return self._write(action)

    # --- results ---------------------------------------------------------------------------------------------
    def add(self, class_id: str, user: str, items: list[tuple[str, str, str, dict, str]]) -> int:
        """Store ``(kind, notebook, item, body, digest)`` tuples of a member; how many were new.

        A ``formula`` replaces the member's earlier formula. Refused if the class is not open or the user has
        not joined it."""
        def action():
            pseudonym = self.member(class_id, user)
            held = self.db.execute("SELECT COUNT(*) FROM results WHERE class_id = ? AND pseudonym = ?",
                                   (class_id, pseudonym)).fetchone()[0]
            if held + len(items) > RESULTS_PER_MEMBER:
                raise Refused(413, "发送的结果太多了。")
            now, added = self.clock(), 0
            for kind, notebook, item, body, digest in items:
                if kind == "formula":
                    self.db.execute("DELETE FROM results WHERE class_id = ? AND pseudonym = ? AND kind = 'formula'",
                                    (class_id, pseudonym))
                added += self.db.execute(
                    "INSERT OR IGNORE INTO results (class_id, pseudonym, kind, notebook, item, body, digest, received)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (class_id, pseudonym, kind, notebook, item, json.dumps(body, ensure_ascii=False), digest, now),
                ).rowcount
            if added:
                self._touch(class_id)
            return added
        return self._write(action)

    def results(self, class_id: str) -> list[Result]:
        rows = self.db.execute("SELECT * FROM results WHERE class_id = ? ORDER BY id", (class_id,)).fetchall()
        return [Result(r["pseudonym"], r["kind"], r["notebook"], r["item"], json.loads(r["body"]), r["received"])
                for r in rows]

    def version(self, class_id: str) -> int | None:
        row = self.db.execute("SELECT version FROM classes WHERE id = ?", (class_id,)).fetchone()
        return row["version"] if row else None
