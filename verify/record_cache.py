"""A cache of what the command line derives, so that ``deeplimits show`` answers at once.

Deriving a record takes SymPy seconds; showing it needs only plain data (the
record's summary, its LaTeX, its generated module).  That data is stored as JSON
(never pickle, never code) under the user's cache directory:
``$DEEPLIMITS_CACHE_DIR``, else ``$XDG_CACHE_HOME/deeplimits`` (default
``~/.cache/deeplimits``), else a private directory in the system's temporary
directory; when none is writable nothing is cached and every call derives.
``DEEPLIMITS_NO_CACHE=1`` turns the cache off.

An entry is trusted only when everything it was made from is unchanged:

* the **source fingerprint**: SHA-256 of every ``derivations/**/*.py`` file, the
  SymPy and Python versions, and any extra files the caller names (e.g. the
  LaTeX exporter's own modules);
* the **record digest**: the entry's digest must equal the digest the caller
  expects (for a catalog record, ``RECORD["digest"]`` of its generated module,
  which ``codegen --check`` keeps equal to the record's :meth:`Record.digest`);
* the entry's own SHA-256 of its payload (a truncated or edited file is a miss).

A miss is never an error: the caller derives afresh and stores the result.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["cache_dirs", "last_seconds", "load", "remember_seconds", "source_fingerprint", "store"]

_FORMAT = 1
_KEEP_FINGERPRINTS = 4  # older fingerprints' entries are deleted when a new one is written


def cache_dirs() -> list[Path]:
    """Candidate cache directories, most preferred first (empty when the cache is off)."""
    if os.environ.get("DEEPLIMITS_NO_CACHE", "") not in ("", "0"):
        return []
    explicit = os.environ.get("DEEPLIMITS_CACHE_DIR")
    if explicit:
        return [Path(explicit)]
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    uid = getattr(os, "getuid", lambda: "user")()
    return [base / "deeplimits", Path(tempfile.gettempdir()) / f"deeplimits-cache-{uid}"]


def _usable(directory: Path, *, create: bool) -> bool:
    """Whether ``directory`` is ours to use: a real directory we own, private when it is in a shared place."""
    try:
        if create:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(directory)
    except OSError:
        return False
    import stat

    if not stat.S_ISDIR(st.st_mode):
        return False  # a symlink or a file: not ours
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    if st.st_mode & 0o022:  # others could plant entries
        return False
    return os.access(directory, os.W_OK | os.X_OK) if create else True


def _files_of_package(package: str) -> list[Path]:
    import importlib.util

    spec = importlib.util.find_spec(package)  # locates without importing
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def source_fingerprint(*extra: Path) -> str:
    """SHA-256 (first 16 hex digits) of the derivation sources, SymPy's and Python's versions and ``extra`` files."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    try:
        h.update(version("sympy").encode())
    except PackageNotFoundError:  # pragma: no cover - sympy is a dependency
        h.update(b"sympy ?")
    h.update(repr(sys.version_info[:2]).encode())
    for path in [*_files_of_package("derivations"), *extra]:
        h.update(path.name.encode())
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()[:16]


def _payload_hash(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _entry_path(directory: Path, kind: str, key: str, fingerprint: str) -> Path:
    name = hashlib.sha256(key.encode()).hexdigest()[:24]  # any key gives a safe file name
    return directory / kind / fingerprint / f"{name}.json"


def _validate(kind: str, key: str, fingerprint: str, digest: str) -> None:
    if not (kind.isidentifier() and isinstance(key, str) and key):
        raise ValueError(f"cache kind={kind!r} must be an identifier and key={key!r} a non-empty string")
    if not (len(fingerprint) == 16 and all(c in "0123456789abcdef" for c in fingerprint)):
        raise ValueError(f"fingerprint={fingerprint!r} must be 16 hex digits (from source_fingerprint)")
    if not isinstance(digest, str):
        raise TypeError(f"digest={digest!r} must be a string")


def load(kind: str, key: str, *, fingerprint: str, digest: str):
    """The payload stored for ``(kind, key)``, or ``None`` unless fingerprint, digest and payload hash all match."""
    _validate(kind, key, fingerprint, digest)
    for directory in cache_dirs():
        path = _entry_path(directory, kind, key, fingerprint)
        if not _usable(directory, create=False):
            continue
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(entry, dict):
            continue
        expected = {"format": _FORMAT, "kind": kind, "key": key, "fingerprint": fingerprint, "digest": digest}
        if any(entry.get(k) != v for k, v in expected.items()) or "payload" not in entry:
            continue
        if entry.get("payload_sha256") != _payload_hash(entry["payload"]):
            continue
        return entry["payload"]
    return None


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune(kind_dir: Path, keep: str) -> None:
    """Delete the entries of all but the newest few fingerprints (sources changed since)."""
    import shutil

    try:
        olds = sorted((p for p in kind_dir.iterdir() if p.is_dir() and p.name != keep),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in olds[_KEEP_FINGERPRINTS - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def store(kind: str, key: str, payload, *, fingerprint: str, digest: str) -> Path | None:
    """Store ``payload`` (JSON data) for ``(kind, key)``; return the file, or ``None`` when no directory is writable."""
    _validate(kind, key, fingerprint, digest)
    entry = {"format": _FORMAT, "kind": kind, "key": key, "fingerprint": fingerprint, "digest": digest,
             "payload": payload, "payload_sha256": _payload_hash(payload)}
    text = json.dumps(entry, sort_keys=True)
    for directory in cache_dirs():
        if not _usable(directory, create=True):
            continue
        path = _entry_path(directory, kind, key, fingerprint)
        fresh_fingerprint = not path.parent.exists()
        try:
            _atomic_write(path, text)
        except OSError:
            continue
        if fresh_fingerprint:
            _prune(directory / kind, keep=fingerprint)
        return path
    return None


def _timings_path(directory: Path) -> Path:
    return directory / "timings.json"


def last_seconds(key: str) -> float | None:
    """Seconds the last derivation of ``key`` took (for a progress estimate), if known."""
    for directory in cache_dirs():
        try:
            value = json.loads(_timings_path(directory).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, (int, float)) and value >= 0:
            return float(value)
    return None


def remember_seconds(key: str, seconds: float) -> None:
    """Record how long deriving ``key`` took (best effort: silently skipped when unwritable)."""
    for directory in cache_dirs():
        if not _usable(directory, create=True):
            continue
        path = _timings_path(directory)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            data = {}
        data[key] = round(float(seconds), 3)
        try:
            _atomic_write(path, json.dumps(data, sort_keys=True))
            return
        except OSError:
            continue
