"""The campaign report runs as a background job (SECURITY F2), from the portal or the export centre."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aidsite.models import AccessAction, AccessLog, ExportJob, ExportJobStatus, Role, StaffProfile
from campaigns.activities import activity_record, summary_save
from campaigns.models import Campaign, CampaignMember, Channel, MemberRole, PhaseKind
from campaigns.report_jobs import CAMPAIGN_REPORT_KIND, CampaignReport
from tests.campaigns.conftest import SYSTEM
from tests.factories import PASSWORD

ROLES = ["anonymous", "director_a", "director_b", "township", "township_west", "auditor", "county"]
# Starting the east campaign's report, per role in ROLES order (only kindergartens A and B take part).
START_EXPECTED = [302, 302, 302, 302, 404, 302, 302]


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _fill(world):
    CampaignMember.objects.create(campaign=world.campaign, name="张镇长", role=MemberRole.LEADER, position="副镇长")
    activity_record(actor=SYSTEM, campaign=world.campaign, school=world.school_a, date=timezone.localdate(),
                    phase=PhaseKind.IMPLEMENT, channel=Channel.DISPLAY_BOARD, reach=300, notes="展板宣传")
    activity_record(actor=SYSTEM, campaign=world.campaign, school=world.school_b, date=timezone.localdate(),
                    phase=PhaseKind.IMPLEMENT, channel=Channel.WECHAT, reach=120, notes="微信群宣传")
    summary_save(actor=SYSTEM, campaign=world.campaign, school=world.school_a, text="纠正小学化倾向成效明显")


def _start(client, user, campaign):
    client.force_login(user)
    return client.post(reverse("campaigns:campaign_report_start", args=[campaign.pk]))


def _file_text(job: ExportJob) -> str:
    from aidsite.export_jobs import export_file_path

    return _pdf_text(export_file_path(job).read_bytes())


def test_the_report_is_rendered_in_the_background_and_staff_go_to_the_export_centre(client, world):
    _fill(world)
    response = _start(client, world.users["township"], world.campaign)

    assert response.status_code == 302 and response["Location"] == reverse("export_centre")
    job = ExportJob.objects.get(owner=world.users["township"])
    assert job.kind == CAMPAIGN_REPORT_KIND and job.status == ExportJobStatus.DONE
    assert job.title == f"{world.campaign.name}工作报告" and job.download_name.endswith(".pdf")
    assert job.row_count == 2
    text = _file_text(job)
    for expected in ("学前教育宣传月工作报告", "宣传学前教育法规政策", "动员阶段", "实施阶段", "张镇长", "展板",
                     "微信群", "420", "纠正小学化倾向成效明显", "东城镇河口幼儿园"):
        assert expected in text, expected
    assert AccessLog.objects.filter(user=world.users["township"], action=AccessAction.EXPORT).count() == 1
    assert "宣传活动工作报告" in client.get(reverse("export_centre")).content.decode()


def test_a_directors_copy_holds_only_their_own_kindergarten(client, world):
    _fill(world)
    response = _start(client, world.users["director_b"], world.campaign)

    job = ExportJob.objects.get(owner=world.users["director_b"])
    # Directors stay in the portal (their phones), whether or not the account has staff status.
    assert response["Location"] == reverse("campaigns:job", args=[job.pk])
    text = _file_text(job)
    assert "东城镇河口幼儿园" in text and "东城镇中心幼儿园" not in text and "纠正小学化" not in text
    assert not re.search(r"\d{17}[\dX]", text)


def test_a_director_without_staff_status_follows_the_job_in_the_portal(client, world):
    _fill(world)
    director = world.users["director_a"]
    director.is_staff = False
    director.save()

    response = _start(client, director, world.campaign)
    assert client.get(reverse("export_centre")).status_code == 302  # the export centre is not for them

    job = ExportJob.objects.get(owner=director)
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:job", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "已完成" in html and reverse("campaigns:job_download", args=[job.pk]) in html
    assert "hx-trigger" not in html  # a finished job is not polled

    download = client.get(reverse("campaigns:job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "东城镇中心幼儿园" in _pdf_text(b"".join(download.streaming_content))
    assert AccessLog.objects.filter(user=director, action=AccessAction.DOWNLOAD).count() == 1
    # The campaign page leads back to the report.
    campaign_page = client.get(reverse("campaigns:campaign", args=[world.campaign.pk])).content.decode()
    assert reverse("campaigns:job", args=[job.pk]) in campaign_page


def test_a_running_job_page_polls_itself(client, world):
    director = world.users["director_a"]
    job = ExportJob.objects.create(
        owner=director, kind=CAMPAIGN_REPORT_KIND, title="报告", parameters={"campaign": world.campaign.pk},
        status=ExportJobStatus.RUNNING, progress=40, expires_at=timezone.now() + dt.timedelta(days=1),
    )
    client.force_login(director)

    html = client.get(reverse("campaigns:job", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html
    assert client.get(reverse("campaigns:job_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_the_report(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])

    response = client.post(reverse("campaigns:campaign_report_start", args=[world.campaign.pk]))

    assert response.status_code == START_EXPECTED[ROLES.index(role)]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("campaigns:login"))
    started = ExportJob.objects.filter(kind=CAMPAIGN_REPORT_KIND).exists()
    assert started == (START_EXPECTED[ROLES.index(role)] == 302 and role != "anonymous")


def test_starting_takes_a_post(client, world):
    client.force_login(world.users["township"])
    assert client.get(reverse("campaigns:campaign_report_start", args=[world.campaign.pk])).status_code == 405
    assert not ExportJob.objects.exists()


def test_nobody_else_sees_or_downloads_a_users_report(client, world):
    _start(client, world.users["director_a"], world.campaign)
    job = ExportJob.objects.get(owner=world.users["director_a"])

    for role in ("director_b", "township", "county"):
        client.force_login(world.users[role])
        assert client.get(reverse("campaigns:job", args=[job.pk])).status_code == 404
        assert client.get(reverse("campaigns:job_download", args=[job.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("campaigns:job_download", args=[job.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("campaigns:login"))


def test_the_portal_job_pages_show_only_portal_kinds(client, world):
    county = world.users["county"]
    other = ExportJob.objects.create(
        owner=county, kind="ledger", title="台账", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    client.force_login(county)
    assert client.get(reverse("campaigns:job", args=[other.pk])).status_code == 404


def test_the_export_centre_offers_only_campaigns_in_the_users_scope(client, world):
    west = Campaign.objects.create(name="西山镇宣传月", school_year=world.year, township=world.school_c.township)
    client.force_login(world.users["township_west"])

    page = client.get(reverse("export_centre")).content.decode()
    assert "西山镇宣传月" in page and world.campaign.name not in page
    response = client.post(reverse("export_start", args=[CAMPAIGN_REPORT_KIND]), {"campaign": world.campaign.pk})
    assert response.status_code == 400
    assert not ExportJob.objects.exists()

    response = client.post(reverse("export_start", args=[CAMPAIGN_REPORT_KIND]), {"campaign": west.pk})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJobStatus.DONE and job.title == "西山镇宣传月工作报告"


def test_the_job_refuses_a_campaign_outside_the_users_scope(world):
    from aidsite.export_jobs import ExportError

    with pytest.raises(ExportError, match="不在您的权限范围内"):
        CampaignReport().run(
            actor=world.users["township_west"], parameters={"campaign": world.campaign.pk},
            out=io.BytesIO(), progress=lambda percent: None,
        )


def test_a_user_who_may_view_but_not_export_the_campaign_cannot_start_the_report(client, world):
    user = get_user_model().objects.create_user(username="viewer", password=PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    StaffProfile.objects.create(user=user, role=Role.TOWNSHIP_STAFF, township=world.school_a.township)
    client.force_login(user)

    page = client.get(reverse("campaigns:campaign", args=[world.campaign.pk]))
    assert page.status_code == 200
    assert reverse("campaigns:campaign_report_start", args=[world.campaign.pk]) not in page.content.decode()
    assert _start(client, user, world.campaign).status_code == 403
    assert not ExportJob.objects.exists()
