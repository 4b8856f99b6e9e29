"""The one beat schedule (settings.GOVMEDIA_SCHEDULE) names only tasks the Celery app really has."""
from django.conf import settings

from govmedia.celery import app


def test_every_scheduled_task_is_registered_with_celery():
    app.loader.import_default_modules()  # runs the app's task autodiscovery, as a worker does at start
    missing = [entry["task"] for entry in settings.GOVMEDIA_SCHEDULE if entry["task"] not in app.tasks]
    assert not missing


def test_schedule_entries_have_unique_names_and_valid_crontab_fields():
    names = [entry["name"] for entry in settings.GOVMEDIA_SCHEDULE]
    assert len(names) == len(set(names))
    fields = {"minute", "hour", "day_of_week", "day_of_month", "month_of_year"}
    assert all(set(entry["crontab"]) <= fields for entry in settings.GOVMEDIA_SCHEDULE)
