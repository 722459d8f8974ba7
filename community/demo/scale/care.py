"""The care directory: fictional providers placed near real US postal codes, so that
distance search has real coordinates to sort by."""

from datetime import date, timedelta

import zipcodes

from community.demo.scale.build import Builder
from community.models import CareEntry, Treatment


def seed_directory(build: Builder) -> None:
    build.progress.start("directory")
    rng = build.rng
    places = [row for row in zipcodes.list_all() if row["lat"] and row["long"]]
    build.insert(
        CareEntry,
        (
            CareEntry(
                name=f"Sample care provider {n}",
                kind=rng.choice(CareEntry.Kind.values),
                treatments=set(rng.sample(Treatment.values, rng.randint(1, 4))),
                city=(row := rng.choice(places))["city"],
                region=row["state"],
                postal_code=row["zip_code"],
                latitude=float(row["lat"]) + rng.uniform(-0.05, 0.05),
                longitude=float(row["long"]) + rng.uniform(-0.05, 0.05),
                phone=f"555-01{n % 100:02d}",
                telehealth=rng.random() < 0.4,
                accepting_new_patients=rng.choice([True, False, None]),
                source="Generated for load tests: a fictional listing",
                last_verified=date.today() - timedelta(days=rng.randint(0, 400)),
            )
            for n in range(build.sizes.entries)
        ),
        build.sizes.entries,
    )
    build.progress.finish()
