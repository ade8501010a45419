"""Loading a user's theorems from a Python file (``deeplimits verify --claims FILE``).

The file is the user's own program, run as Python exactly like ``python FILE``
would (it is code they wrote, not data: never point this at a file you do not
trust).  Its claims are the module-level :class:`~verify.claims.Claim` objects,
or the list ``CLAIMS`` when the module defines one.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from .claim import Claim

__all__ = ["load_claims"]


def load_claims(path: str | Path) -> list[Claim]:
    """The claims declared in the Python file at ``path``; ``ValueError`` when there are none."""
    file = Path(path)
    if not file.is_file() or file.suffix != ".py":
        raise ValueError(f"--claims {str(path)!r} must name an existing .py file")
    name = f"deeplimits_user_claims_{abs(hash(file.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code failed: say where, in one line
        sys.modules.pop(name, None)
        where = _where(exc, file)
        raise ValueError(f"--claims {str(path)!r} failed to run{where}: {type(exc).__name__}: {exc}") from exc
    declared = getattr(module, "CLAIMS", None)
    if declared is not None:
        try:
            claims = list(declared.values() if isinstance(declared, dict) else declared)
        except TypeError:
            raise ValueError(f"--claims {str(path)!r}: CLAIMS must be a list of claims, got "
                             f"{type(declared).__name__}") from None
    else:
        claims = [v for v in vars(module).values() if isinstance(v, Claim)]
    claims = list({id(c): c for c in claims}.values())  # an alias of a claim is the same claim
    if not claims or not all(isinstance(c, Claim) for c in claims):
        raise ValueError(f"--claims {str(path)!r} declares no claim (module-level Claim objects, or a CLAIMS list)")
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"--claims {str(path)!r} declares duplicate claim ids: {ids}")
    return claims


def _where(exc: BaseException, file: Path) -> str:
    """`` at line N`` of the user's file where ``exc`` arose, if it did there."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" at line {exc.lineno}"
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == file.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" at line {line}" if line else ""
