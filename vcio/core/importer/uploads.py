"""Uploaded import files kept between preview and commit.

The web flow reads an upload twice (preview, then commit) and the user may
take a while in between, so the files are stored under
``MEDIA_ROOT/imports/<run id>/``, deleted once the import is committed, and
swept after a day by a periodic job if nobody confirmed.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename

KEEP_SECONDS = 24 * 3600


def upload_dir(run_id: int) -> Path:
    """Where the files of import ``run_id`` are kept."""
    return Path(settings.MEDIA_ROOT) / "imports" / str(int(run_id))


def save_uploads(run_id: int, files: Iterable[UploadedFile]) -> list[str]:
    """Store the uploads for ``run_id``; returns their original names, in order."""
    folder = upload_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for index, upload in enumerate(files):
        name = upload.name or f"file{index + 1}"
        # The index keeps the order; the cleaned name only helps someone looking at the disk.
        safe = get_valid_filename(Path(name).name) or "upload"
        with open(folder / f"{index:03d}-{safe}", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names.append(name)
    return names


def stored_files(run_id: int, names: list[str]) -> list[tuple[str, Path]] | None:
    """``(original name, path)`` of the kept files, or None when they are gone."""
    folder = upload_dir(run_id)
    paths = sorted(folder.iterdir()) if folder.is_dir() else []
    if not paths or len(paths) != len(names):
        return None
    return list(zip(names, paths, strict=True))


def delete_uploads(run_id: int) -> None:
    """Remove the kept files of ``run_id`` (nothing happens when there are none)."""
    shutil.rmtree(upload_dir(run_id), ignore_errors=True)


def purge_stale_uploads(max_age: int = KEEP_SECONDS) -> int:
    """Delete kept uploads older than ``max_age`` seconds; returns how many imports' files went."""
    from vcio.core.models import ImportRun

    root = Path(settings.MEDIA_ROOT) / "imports"
    if not root.is_dir():
        return 0
    cutoff = time.time() - max_age
    stale = [d for d in root.iterdir() if d.is_dir() and d.stat().st_mtime < cutoff]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    ids = [int(d.name) for d in stale if d.name.isdigit()]
    if ids:
        ImportRun.objects.filter(pk__in=ids).update(files_kept=False)
    return len(stale)
