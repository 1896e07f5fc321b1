"""Publicity campaigns, policy cards (明白卡), home visits (走访) and mentoring (一对一爱心育才).

This app reads the registry; nothing in `students` imports it. Every model names how
it reaches a township and a school (`scope_township_paths`, `scope_school_paths`) so
that `aidsite.access.scope_queryset` bounds every list, page, export and PDF.
One module per area; the app label stays `campaigns`.
"""

from campaigns.models.campaigns import (
    Activity,
    ActivityPhoto,
    Campaign,
    CampaignMember,
    CampaignPhase,
    Channel,
    KindergartenSummary,
    MemberRole,
    PhaseKind,
)
from campaigns.models.cards import CardStep, PolicyCard
from campaigns.models.mentoring import ContactMode, Mentoring, MentoringContact, MentoringFocus
from campaigns.models.photos import PhotoBase
from campaigns.models.visits import HomeVisit, VisitAction, VisitPhoto

__all__ = [
    "Activity",
    "ActivityPhoto",
    "Campaign",
    "CampaignMember",
    "CampaignPhase",
    "CardStep",
    "Channel",
    "ContactMode",
    "HomeVisit",
    "KindergartenSummary",
    "MemberRole",
    "Mentoring",
    "MentoringContact",
    "MentoringFocus",
    "PhaseKind",
    "PhotoBase",
    "PolicyCard",
    "VisitAction",
    "VisitPhoto",
]
