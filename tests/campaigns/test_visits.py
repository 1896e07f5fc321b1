import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import HomeVisit, VisitPhoto
from campaigns.visits import visit_follow_up_close, visit_record
from tests.campaigns.conftest import SYSTEM, png_bytes, visit_at


def _record(world, **overrides):
    household = world.a_poor.student.household
    arguments = dict(
        school=world.school_a, household=household, children=[world.a_poor.student],
        visited_at=visit_at(world.term), led_by="李雪", participants="全园教师、扶贫专干",
        actions=["talk", "clean", "greet"], family_feedback="感谢幼儿园",
        teacher_evaluation="你是个天真可爱的小女孩", follow_up_needed=True, follow_up="送冬衣",
    )
    arguments.update(overrides)
    return visit_record(actor=SYSTEM, **arguments)


def test_a_visit_keeps_what_was_done_in_order_and_its_photos(world):
    photo = SimpleUploadedFile("IMG_0001.JPG", png_bytes(), content_type="image/jpeg")
    visit = _record(world, photos=[photo])
    assert visit.get_actions_display() == "与家长交谈、帮助打扫卫生、节日慰问"
    stored = visit.photos.get()
    # A random name with the extension of the real format, not the browser's.
    assert stored.image.name.startswith("campaigns/visitphoto/") and stored.image.name.endswith(".png")
    assert "IMG_0001" not in stored.image.name
    # The audit trail holds the visit and whom it covered (SECURITY C4).
    latest = visit.history.latest()
    assert list(latest.children.values_list("student_id", flat=True)) == [world.a_poor.student.pk]


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(world):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        _record(world, photos=[fake])
    assert "只能上传" in str(exc.value)
    assert HomeVisit.objects.count() == 0 and VisitPhoto.objects.count() == 0


def test_a_truncated_image_is_refused(world):
    broken = SimpleUploadedFile("half.png", png_bytes()[:60], content_type="image/png")
    with pytest.raises(ValidationError):
        _record(world, photos=[broken])


def test_an_oversized_photo_is_refused(world, settings):
    settings.CAMPAIGN_PHOTO_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.png", png_bytes((400, 400)) + b"\0" * 2000, content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        _record(world, photos=[big])
    assert "不能超过" in str(exc.value)
    assert HomeVisit.objects.count() == 0


def test_a_child_of_another_household_or_kindergarten_is_refused(world):
    with pytest.raises(ValidationError):
        _record(world, children=[world.b_poor.student])
    with pytest.raises(ValidationError):
        _record(world, household=world.b_poor.student.household, children=[world.b_poor.student])


def test_follow_up_needs_text_and_closes_once(world):
    with pytest.raises(ValidationError):
        _record(world, follow_up="")
    visit = _record(world)
    assert visit.follow_up_open
    before = visit.history.count()
    visit_follow_up_close(visit=visit, on=world.term.start_date)
    visit.refresh_from_db()
    assert visit.follow_up_done and visit.follow_up_done_on == world.term.start_date
    assert visit.history.count() == before + 1
    assert visit.history.latest().follow_up_done is True


def test_a_visit_without_follow_up_cannot_be_closed(world):
    visit = _record(world, follow_up_needed=False, follow_up="")
    with pytest.raises(ValidationError):
        visit_follow_up_close(visit=visit, on=world.term.start_date)
