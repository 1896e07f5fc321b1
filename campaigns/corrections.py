"""Who may correct a record of the portal (an activity, a home visit, a card step), and when.

A kindergarten records on a phone, so mistakes happen: the person who entered a record
may change or undo it on the day it was entered. Later, or for anyone else, the record
stands (the township corrects it in the admin, where the history shows every change).
Every correction is kept in the record's history (django-simple-history).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aidsite.access import actor_user

if TYPE_CHECKING:
    from aidsite.access import Actor

# Shown next to the buttons, so nobody wonders why they vanish the next day.
CORRECTION_RULE = "填报人当天可以修改或撤销；之后如需更正请联系镇教办。"


def correction_refusal(
    *, author_id: int | None, entered_at: dt.datetime | None, actor: Actor, today: dt.date
) -> str | None:
    """Why `actor` may not correct a record entered by `author_id` at `entered_at`, or None.

    Pure: the caller passes the day (the site's local date) so tests can pin it.
    """
    user = actor_user(actor)
    if user is None or author_id is None or author_id != user.pk:
        return _("只有填报人本人可以修改或撤销这条记录。")
    if entered_at is None or timezone.localdate(entered_at) != today:
        return _("只能在填报当天修改或撤销；如需更正请联系镇教办。")
    return None


def may_correct(*, author_id: int | None, entered_at: dt.datetime | None, actor: Actor) -> bool:
    return (
        correction_refusal(
            author_id=author_id, entered_at=entered_at, actor=actor, today=timezone.localdate()
        )
        is None
    )


def require_correction(
    *, author_id: int | None, entered_at: dt.datetime | None, actor: Actor
) -> None:
    """PermissionDenied (403, with the reason) unless `actor` may correct the record now."""
    reason = correction_refusal(
        author_id=author_id, entered_at=entered_at, actor=actor, today=timezone.localdate()
    )
    if reason is not None:
        raise PermissionDenied(reason)


def set_history_user(obj: Any, actor: Actor) -> None:
    # simple_history takes the user from the request middleware; services also run from
    # commands and tests, so they name the user explicitly.
    obj._history_user = actor_user(actor)


def delete_photo_files(photos: Any) -> None:
    """Delete the photos' files once the transaction commits (SECURITY D5: nothing abandoned)."""
    for photo in photos:
        storage, name = photo.image.storage, photo.image.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def save_audited(obj: Any, *, actor: Actor, photos: Any = (), photo_model: Any = None) -> None:
    """Check and save a portal record as `actor` (named in its history), then attach `photos`
    as `photo_model` rows (a `PhotoBase` subclass, which names its record field)."""
    obj.full_clean()
    set_history_user(obj, actor)
    obj.save()
    for photo in photos:
        photo_model.objects.create(**{photo_model.record_field: obj}, image=photo)


def undo_record(record: Any, *, actor: Actor) -> None:
    """Delete a record entered by mistake (an activity or a visit: both keep who entered them,
    when, and their photos) if `actor` may correct it; its history keeps it, with who undid it."""
    require_correction(author_id=record.recorded_by_id, entered_at=record.created_at, actor=actor)
    delete_photo_files(list(record.photos.all()))
    set_history_user(record, actor)
    record.delete()
