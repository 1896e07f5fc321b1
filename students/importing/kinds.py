"""Sheet kinds other apps add to `import_xlsx`, registered from their `AppConfig.ready()`.

`students` imports no app above it (ARCHITECTURE: imports point down), yet the
command-line contract `import_xlsx KIND FILE [--dry-run]` is one command. The
roster kinds (`villages`, `schools`, `students`) stay the fixed table of
`students.importing.service`; a kind such as `applications` (subsidies) is
registered here with the function that runs it, as export kinds and student
record sections are registered, and the command offers it by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from students.importing.words import KINDS

if TYPE_CHECKING:
    from students.importing.results import ImportReport

ImportRunner = Callable[..., "ImportReport"]


@dataclass(frozen=True)
class ImportKind:
    """One registered sheet kind: its command word, what it imports, and how.

    `run(source=…, actor=…, dry_run=…)` validates every row and writes all of them
    or none, like `roster_import`; it returns an `ImportReport` (its `summary()` is
    printed) and raises `ImportFileError` for a whole-file problem.
    """

    name: str
    label: str
    run: ImportRunner


_KINDS: dict[str, ImportKind] = {}


def import_kind_register(kind: ImportKind) -> None:
    """Offer `kind` in `import_xlsx`; registering the same kind again replaces it."""
    if kind.name in KINDS:
        raise ImproperlyConfigured(f"import kind {kind.name!r} is a roster kind")
    _KINDS[kind.name] = kind


def registered_import_kinds() -> dict[str, ImportKind]:
    """The registered kinds by command word, in registration order."""
    return dict(_KINDS)
