"""Request numbers come from a gap-free series per year (``service_requests.number.<yyyy>``)
instead of the row id. Each year's series starts after the highest number already given that
year, so a new number never repeats an old one."""

from django.db import migrations


def start_series_after_existing_numbers(apps, schema_editor):
    ServiceRequest = apps.get_model("service_requests", "ServiceRequest")
    Counter = apps.get_model("core", "Counter")
    highest: dict[int, int] = {}
    numbers = ServiceRequest.objects.exclude(number=None).values_list("number", flat=True)
    for number in numbers.iterator(chunk_size=5000):
        prefix, _, value = number.partition("-")
        if prefix.isdigit() and value.isdigit():
            year = 2000 + int(prefix)
            highest[year] = max(highest.get(year, 0), int(value))
    for year, value in highest.items():
        counter, _created = Counter.objects.get_or_create(
            series=f"service_requests.number.{year}", defaults={"value": 0}
        )
        if counter.value < value:
            counter.value = value
            counter.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_counter"),
        ("service_requests", "0004_stage_time_measures"),
    ]

    operations = [
        migrations.RunPython(start_series_after_existing_numbers, migrations.RunPython.noop),
    ]
