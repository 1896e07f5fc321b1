"""What every photo attached to a record shares."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.photos import photo_upload_to, validate_photo


class PhotoBase(models.Model):
    """A checked, randomly named photo attached to one record (an activity or a home visit).

    A subclass adds the foreign key to its record, names it in `record_field`
    and says how the record reaches a township and a school (the scope paths).
    """

    image = models.ImageField(_("照片"), upload_to=photo_upload_to, validators=[validate_photo])
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    record_field: str

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{getattr(self, self.record_field)} 照片"
