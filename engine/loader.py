"""Find and load SOLUZION6 game folders.

A game folder is scanned once into a :class:`GameSource` (which file is the
PFF, which the vis module, the version hash).  Each play-through then gets
its own :class:`LoadedGame`: a fresh module under a unique name, registered in
``sys.modules`` while it lives, with its own copies of the helper modules the
game imports by bare name, so no two play-throughs share module globals.
"""
import hashlib
import importlib.util
import itertools
import os
import pathlib
import sys
import threading

from . import rng as _rng  # noqa: F401  (installs the per-play-through RNG)

BASE_MODULE_DIR = pathlib.Path(__file__).resolve().parent / "sz6"
BASE_MODULE_NAME = "soluzion6_02"
VIS_SUFFIX = "_WSZ6_VIS.py"
_IGNORED_PARTS = {"__pycache__", ".git", ".DS_Store", ".pytest_cache"}
_load_lock = threading.RLock()
_counter = itertools.count(1)


class _KnownModule:
    """Loader that hands back a module this play-through already has."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class _GameImporter:
    """Meta-path finder: bare-name imports made while a game's code runs find
    that game's own helper modules (its folder is not on ``sys.path``)."""

    def find_spec(self, name, path=None, target=None):
        game = _rng.current_game.get()
        if game is None or "." in name or path is not None:
            return None
        return game.find_local_spec(name)


if not any(isinstance(f, _GameImporter) for f in sys.meta_path):
    sys.meta_path.insert(0, _GameImporter())


class GameLoadError(Exception):
    """The folder is not a loadable SOLUZION6 game; the message says why."""


def _hashable_files(folder):
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in _IGNORED_PARTS for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith((".pyc", ".pyo")):
            yield rel.as_posix(), path


def version_hash(folder):
    """SHA-256 over the folder's files (relative paths and contents)."""
    folder = pathlib.Path(folder)
    digest = hashlib.sha256()
    for rel, path in _hashable_files(folder):
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _slug_of(folder):
    return folder.name.lower().replace("-", "_").replace(" ", "_")


def find_pff(folder):
    """The PFF: named after the folder's slug, else the one *_SZ6.py, else the first .py."""
    pys = sorted(p for p in folder.glob("*.py") if p.is_file())
    candidates = [p for p in pys if not p.name.endswith(VIS_SUFFIX)
                  and p.name != BASE_MODULE_NAME + ".py" and p.name != "__init__.py"]
    slug = _slug_of(folder)
    for p in candidates:
        stem = p.stem.lower()
        if stem == slug or stem == slug + "_sz6":
            return p
    sz6 = [p for p in candidates if p.name.endswith("_SZ6.py")]
    if len(sz6) == 1:
        return sz6[0]
    if sz6:
        candidates = sz6
    if not candidates:
        raise GameLoadError(f"no problem formulation file (*_SZ6.py or .py) in {folder}")
    return candidates[0]


def find_vis_file(folder):
    vis = sorted(folder.glob("*" + VIS_SUFFIX))
    return vis[0] if len(vis) == 1 else None


class GameSource:
    """A game folder on disk: its files, slug and version hash."""

    def __init__(self, folder, slug=None):
        self.folder = pathlib.Path(folder).resolve()
        if not self.folder.is_dir():
            raise GameLoadError(f"not a folder: {folder}")
        self.slug = slug or _slug_of(self.folder)
        self.pff_path = find_pff(self.folder)
        self.vis_path = find_vis_file(self.folder)
        self.version = version_hash(self.folder)
        # Only games that mention it get a session folder made for them.
        self.uses_session_folder = any(
            b"session_folder" in p.read_bytes() for p in self.folder.rglob("*.py"))

    def load(self):
        """A fresh, private load of this game for one play-through."""
        return LoadedGame(self)


def is_formulation(obj):
    return (not isinstance(obj, type) and hasattr(obj, "metadata")
            and hasattr(obj, "operators")
            and callable(getattr(obj, "initialize_problem", None)))


def find_formulation(module):
    for name, value in vars(module).items():
        if not name.startswith("__") and is_formulation(value):
            return value
    raise GameLoadError(
        f"{os.path.basename(module.__file__)} defines no formulation "
        "(an object with metadata, operators and initialize_problem)")


_code_cache = {}


def _compiled(path):
    """Code object of a source file, compiled once per (path, size, mtime)."""
    stat = os.stat(path)
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    code = _code_cache.get(key)
    if code is None:
        with open(path, "rb") as f:
            code = compile(f.read(), str(path), "exec", dont_inherit=True)
        _code_cache[key] = code
    return code


def _exec_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        exec(_compiled(path), module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _inside(path, folder):
    if not path:
        return False
    try:
        return os.path.realpath(path).startswith(str(folder) + os.sep)
    except (OSError, ValueError, TypeError):
        return False


def _ensure_base_module():
    if str(BASE_MODULE_DIR) not in sys.path:
        sys.path.append(str(BASE_MODULE_DIR))
    if BASE_MODULE_NAME not in sys.modules:
        _exec_module(BASE_MODULE_NAME, BASE_MODULE_DIR / (BASE_MODULE_NAME + ".py"))


class LoadedGame:
    """One play-through's private copy of a game's modules."""

    def __init__(self, source):
        self.source = source
        self.module_name = f"szgame_{source.slug}_{next(_counter)}"
        self.vis_name = self.module_name + "__vis"
        self.local_modules = {}   # bare name -> module, private to this load
        self._served = set()      # bare names imported by game code at run time
        self.module = None
        self._vis = None
        self._vis_pending = False  # a vis file the PFF did not import: loaded on first use
        with _load_lock:
            self._load()
        self.formulation = find_formulation(self.module)

    def _load(self):
        _ensure_base_module()
        folder = self.source.folder
        shadowed = {}
        if (folder / (BASE_MODULE_NAME + ".py")).exists():
            # A game that bundles its own base module gets that copy.
            shadowed[BASE_MODULE_NAME] = sys.modules.pop(BASE_MODULE_NAME, None)
        before = set(sys.modules)
        sys.path.insert(0, str(folder))
        try:
            self.module = _exec_module(self.module_name, self.source.pff_path)
            self._vis = self._imported_vis(folder, before)
            self._vis_pending = self._vis is None and self.source.vis_path is not None
        except GameLoadError:
            self.unload()
            raise
        except BaseException as exc:
            self.unload()
            raise GameLoadError(f"loading {self.source.pff_path.name} failed: "
                                f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._privatize(before, folder)
            for name, module in shadowed.items():
                if module is not None:
                    sys.modules[name] = module
            try:
                sys.path.remove(str(folder))
            except ValueError:
                pass

    def _imported_vis(self, folder, before):
        """The vis module the PFF names or imported itself, if any (no code runs)."""
        formulation = find_formulation(self.module)
        vis = getattr(formulation, "vis_module", None)
        if vis is not None and hasattr(vis, "render_state"):
            return vis
        vis_path = self.source.vis_path
        if vis_path is None:
            return None
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            if getattr(module, "__file__", None) and _inside(module.__file__, folder) \
                    and os.path.basename(module.__file__) == vis_path.name:
                return module
        return None

    @property
    def vis(self):
        """The vis module; loaded on first use (validation and replays never render)."""
        if self._vis_pending:
            with _load_lock:
                if self._vis_pending:
                    token = _rng.current_game.set(self)
                    try:
                        self._vis = _exec_module(self.vis_name, self.source.vis_path)
                    except Exception:
                        self._vis = None      # a broken vis falls back to the text view
                    finally:
                        _rng.current_game.reset(token)
                        self.privatize_new_imports()
                        self._vis_pending = False
        return self._vis

    def _privatize(self, before, folder):
        """Take game-local modules out of sys.modules so the next load gets fresh ones."""
        keep = {self.module_name, self.vis_name}
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            if name in keep:
                continue
            if _inside(getattr(module, "__file__", None), folder) or name == BASE_MODULE_NAME:
                self.local_modules[name] = sys.modules.pop(name)

    def find_local_spec(self, name):
        """Import spec for a bare-name import made by this game's code at run time."""
        module = self.local_modules.get(name)
        if module is not None:
            return importlib.util.spec_from_loader(name, _KnownModule(module))
        folder = self.source.folder
        for candidate in (folder / (name + ".py"), folder / name / "__init__.py"):
            if candidate.is_file():
                self._served.add(name)
                return importlib.util.spec_from_file_location(name, candidate)
        return None

    def privatize_new_imports(self):
        """Move modules imported by bare name during game code into ``local_modules``."""
        if not self._served:
            return
        for name in list(sys.modules):
            if name.split(".")[0] in self._served:
                self.local_modules[name] = sys.modules.pop(name)
        self._served.clear()

    def unload(self):
        """Unregister this play-through's modules so memory does not grow."""
        for name in (self.module_name, self.vis_name):
            sys.modules.pop(name, None)

    def resolve_module(self, alias):
        """Module for an alias written by the serializer (see serialize.py)."""
        if alias == "@pff":
            return self.module
        if alias == "@vis":
            return self.vis
        if alias.startswith("@local:"):
            return self.local_modules.get(alias[7:])
        return sys.modules.get(alias) or importlib.import_module(alias)

    def alias_of(self, module_name):
        if module_name == self.module_name:
            return "@pff"
        if self._vis is not None and module_name == self._vis.__name__:
            return "@vis"
        if module_name in self.local_modules:
            return "@local:" + module_name
        return module_name
