"""Social donors (社会资助): donors, their pledges and their pairings with students (结对资助).

A pairing has one of three shapes: one donor and one student (一对一), one
donor and several students (一对多), several donors and one student (多对一).
Donors and students join a pairing through rows that carry the pairing's shape,
so that partial unique constraints hold the "one" side of each shape in the
database; the service (`subsidies.services.donors`) also refuses a "several"
side with fewer than two. The money itself is in the ledgers: a 社会资助 batch
(`DisbursementBatch.kind`) holds what donors gave (entries naming the donor)
or what students were paid (entries naming the pairing only).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidsite.lib.idcard import mask_phone
from aidsite.lib.text import validate_free_text, validate_name
from students.models import MOBILE_VALIDATOR
from subsidies.models.policies import MONEY


class DonorKind(models.TextChoices):
    PERSON = "person", _("个人")
    COMPANY = "company", _("企业")
    ORGANISATION = "organisation", _("社会组织")


class Donor(models.Model):
    """资助方: a person, company or organisation that gives money for students of one township."""

    township = models.ForeignKey(
        "students.Township", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记乡镇")
    )
    name = models.CharField(_("资助方名称"), max_length=60, validators=[validate_name])
    kind = models.CharField(_("资助方类别"), max_length=12, choices=DonorKind.choices)
    contact_name = models.CharField(
        _("联系人"), max_length=30, blank=True, validators=[validate_name]
    )
    phone = models.CharField(
        _("联系电话"), max_length=11, blank=True, validators=[MOBILE_VALIDATOR]
    )
    address = models.CharField(_("地址"), max_length=120, blank=True, validators=[validate_name])
    note = models.CharField(_("备注"), max_length=200, blank=True, validators=[validate_free_text])

    history = HistoricalRecords()

    scope_township_paths = ("township",)
    scope_school_paths = ("pairings__pairing__students__school",)

    class Meta:
        verbose_name = _("资助方")
        verbose_name_plural = _("资助方")
        ordering = ["township__name", "name"]
        permissions = [("export_donor", _("可导出资助方"))]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="donor_unique_name_per_township",
                violation_error_message=_("本乡镇已登记同名的资助方。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Pledge(models.Model):
    """认捐: what a donor promised to give, for which years and purpose."""

    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("资助方")
    )
    amount = models.DecimalField(_("认捐金额（元）"), **MONEY)
    from_year = models.ForeignKey(
        "students.SchoolYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("起始学年"),
    )
    to_year = models.ForeignKey(
        "students.SchoolYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("截止学年"),
    )
    purpose = models.CharField(_("用途"), max_length=120, validators=[validate_free_text])
    pledged_on = models.DateField(_("认捐日期"))

    history = HistoricalRecords()

    scope_township_paths = ("donor__township",)
    scope_school_paths = ("donor__pairings__pairing__students__school",)

    class Meta:
        verbose_name = _("认捐")
        verbose_name_plural = _("认捐")
        ordering = ["-pledged_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="pledge_amount_positive",
                violation_error_message=_("认捐金额应大于 0。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.donor.name} 认捐 {self.amount} 元"


class PairingShape(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("一对一")
    ONE_TO_MANY = "one_to_many", _("一对多")
    MANY_TO_ONE = "many_to_one", _("多对一")


# The shapes in which a pairing has exactly one donor, and exactly one student.
ONE_DONOR_SHAPES = (PairingShape.ONE_TO_ONE, PairingShape.ONE_TO_MANY)
ONE_STUDENT_SHAPES = (PairingShape.ONE_TO_ONE, PairingShape.MANY_TO_ONE)


class Pairing(models.Model):
    """结对资助: donors paired with students for a span of school years, an amount per student per term."""

    township = models.ForeignKey(
        "students.Township", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    shape = models.CharField(_("结对方式"), max_length=12, choices=PairingShape.choices)
    from_year = models.ForeignKey(
        "students.SchoolYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("起始学年"),
    )
    to_year = models.ForeignKey(
        "students.SchoolYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("截止学年"),
    )
    amount = models.DecimalField(_("每生每学期资助（元）"), **MONEY)
    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("认捐"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, validators=[validate_free_text])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()

    scope_township_paths = ("township",)
    scope_school_paths = ("students__school",)

    class Meta:
        verbose_name = _("结对资助")
        verbose_name_plural = _("结对资助")
        ordering = ["-from_year__start_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="pairing_amount_positive",
                violation_error_message=_("资助金额应大于 0。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_shape_display()}结对 #{self.pk}"


class PairingDonor(models.Model):
    """A donor in a pairing, with their share of the amount per student per term."""

    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, related_name="donors", verbose_name=_("结对")
    )
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("资助方")
    )
    # A copy of the pairing's shape (set by the service, never changed) so the constraints can see it.
    shape = models.CharField(_("结对方式"), max_length=12, choices=PairingShape.choices)
    share = models.DecimalField(_("每生每学期出资（元）"), **MONEY)

    scope_township_paths = ("pairing__township",)
    scope_school_paths = ("pairing__students__school",)

    class Meta:
        verbose_name = _("结对资助方")
        verbose_name_plural = _("结对资助方")
        ordering = ["pairing", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "donor"],
                name="pairing_donor_once",
                violation_error_message=_("同一资助方在一个结对中只能出现一次。"),
            ),
            models.UniqueConstraint(
                fields=["pairing"],
                condition=models.Q(shape__in=ONE_DONOR_SHAPES),
                name="pairing_one_donor_unless_many_to_one",
                violation_error_message=_("一对一、一对多结对只能有一个资助方。"),
            ),
            models.CheckConstraint(
                condition=models.Q(share__gt=0),
                name="pairing_donor_share_positive",
                violation_error_message=_("出资金额应大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor.name}（{self.share} 元）"


class PairingStudent(models.Model):
    """A student in a pairing, at the school they were enrolled in when paired."""

    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, related_name="students", verbose_name=_("结对")
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("学生"),
    )
    school = models.ForeignKey(
        "students.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    shape = models.CharField(_("结对方式"), max_length=12, choices=PairingShape.choices)

    scope_township_paths = ("pairing__township",)
    scope_school_paths = ("school",)

    class Meta:
        verbose_name = _("受助学生")
        verbose_name_plural = _("受助学生")
        ordering = ["pairing", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "student"],
                name="pairing_student_once",
                violation_error_message=_("同一学生在一个结对中只能出现一次。"),
            ),
            models.UniqueConstraint(
                fields=["pairing"],
                condition=models.Q(shape__in=ONE_STUDENT_SHAPES),
                name="pairing_one_student_unless_one_to_many",
                violation_error_message=_("一对一、多对一结对只能有一名学生。"),
            ),
        ]

    def __str__(self) -> str:
        return self.student.name
