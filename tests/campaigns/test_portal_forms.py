"""The portal's forms end to end through the Django test client."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import HomeVisit, PolicyCard
from tests.campaigns.conftest import png_bytes
from tests.factories import PASSWORD


def _visit_post(client, world, photo):
    client.force_login(world.users["director_a"])
    return client.post(
        reverse("campaigns:visit_new", args=[world.a_poor.pk]),
        {
            "children": [world.a_poor.student.pk], "visited_at": f"{world.term.start_date}T12:00",
            "led_by": "李雪", "actions": ["talk", "greet"], "photos": [photo],
        },
    )


def test_a_visit_with_a_photo_is_saved_from_the_form(client, world):
    response = _visit_post(client, world, SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"))
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert visit.photos.count() == 1 and visit.recorded_by == world.users["director_a"]
    photo = client.get(reverse("campaigns:photo", args=["visit", visit.photos.get().pk]))
    assert photo.status_code == 200 and b"".join(photo.streaming_content).startswith(b"\x89PNG")


def test_the_form_refuses_a_non_image_and_keeps_nothing(client, world):
    response = _visit_post(client, world, SimpleUploadedFile("a.jpg", b"GIF89a-not-really", content_type="image/jpeg"))
    assert response.status_code == 200
    assert "只能上传" in str(response.context["form"].errors["photos"])
    assert not HomeVisit.objects.exists()


def test_the_form_refuses_an_oversized_photo(client, world, settings):
    settings.CAMPAIGN_PHOTO_MAX_BYTES = 2000
    big = SimpleUploadedFile("b.png", png_bytes((300, 300)) + b"\0" * 5000, content_type="image/png")
    response = _visit_post(client, world, big)
    assert response.status_code == 200
    assert "不能超过" in str(response.context["form"].errors["photos"])
    assert not HomeVisit.objects.exists()


def test_ticking_a_card_step_with_htmx_returns_the_updated_row(client, world):
    client.force_login(world.users["director_a"])
    household = world.a_poor.student.household
    response = client.post(
        reverse("campaigns:card_tick", args=[world.school_a.pk, household.pk]),
        {"step": "printed", "by": "王老师", "on": str(world.term.start_date)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="family-{household.pk}"' in html and "待发放" in html
    assert PolicyCard.objects.get(household=household).printed_by == "王老师"


def test_a_step_out_of_order_is_explained_in_the_row(client, world):
    client.force_login(world.users["director_a"])
    household = world.a_poor.student.household
    response = client.post(
        reverse("campaigns:card_tick", args=[world.school_a.pk, household.pk]),
        {"step": "signed", "by": "仇某", "on": str(world.term.start_date)},
        HTTP_HX_REQUEST="true",
    )
    assert "请先完成" in response.content.decode()
    assert not PolicyCard.objects.exists()


def test_portal_login_goes_through_axes_and_locks_after_five_failures(client, world):
    url = reverse("campaigns:login")
    for _ in range(5):
        client.post(url, {"username": "director_a", "password": "wrong-password-123"})
    response = client.post(url, {"username": "director_a", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_portal_login_sends_a_director_to_their_kindergarten(client, world):
    response = client.post(reverse("campaigns:login"), {"username": "director_a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("campaigns:school", args=[world.school_a.pk])
    assert "仇小兰" in response.content.decode()
